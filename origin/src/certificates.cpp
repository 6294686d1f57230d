// certificates.cpp: (in progress)
