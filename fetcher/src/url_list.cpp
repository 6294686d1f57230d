// url_list.cpp: (in progress)
