// server.cpp: (in progress)
