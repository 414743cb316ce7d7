#include "storage/head_mirror.h"
