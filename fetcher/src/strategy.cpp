// strategy.cpp: (in progress)
