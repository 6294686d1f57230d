// client.cpp: (in progress)
