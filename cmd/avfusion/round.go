package main

import "math"

// round3 and round1 keep printed numbers to the precision they carry.
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func round1(x float64) float64 { return math.Round(x*10) / 10 }
