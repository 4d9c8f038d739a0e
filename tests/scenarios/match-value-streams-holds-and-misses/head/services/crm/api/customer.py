v2
