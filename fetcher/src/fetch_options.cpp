// fetch_options.cpp: (in progress)
