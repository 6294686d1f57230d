// run_report.cpp: (in progress)
