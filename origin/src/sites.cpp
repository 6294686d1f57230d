// sites.cpp: (in progress)
