// ideal.cpp: (in progress)
