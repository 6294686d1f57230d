// run.cpp: (in progress)
