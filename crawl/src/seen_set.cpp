// seen_set.cpp
#include "seen_set.hpp"
