package domain

import (
	"math"
	"slices"
)

// Median is the middle value of vs (the mean of the two middle ones for an
// even count), NaN for none: an empty sample has no median, and NaN makes a
// caller that forgot to check visible instead of quietly using zero.
func Median(vs []float64) float64 {
	n := len(vs)
	if n == 0 {
		return math.NaN()
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// MAD is the median absolute deviation from the median, NaN for none.
// 1.4826·MAD estimates the standard deviation of normal data, without
// letting a few outliers inflate it.
func MAD(vs []float64) float64 {
	m := Median(vs)
	dev := make([]float64, len(vs))
	for i, v := range vs {
		dev[i] = math.Abs(v - m)
	}
	return Median(dev)
}
