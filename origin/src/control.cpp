// control.cpp: (in progress)
