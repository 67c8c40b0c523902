"""Disclosure-control benchmark: sdcMicro's risk measures on 1M records × 7 keys with weights."""
