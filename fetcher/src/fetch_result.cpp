// fetch_result.cpp: (in progress)
