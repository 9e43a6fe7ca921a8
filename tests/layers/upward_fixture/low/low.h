#pragma once

// A lower layer that includes a higher one: check_layers.py must fail on this line.
#include "high/high.h"
