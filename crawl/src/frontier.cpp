// frontier.cpp
#include "frontier.hpp"
