package resample

import "math"

// StatCols×StatRows is the grey copy GreyCells makes.
const StatCols, StatRows = 64, 48

// MeanSpread is the mean and standard deviation of grey cells: a
// picture's brightness and its spread (0–255).
func MeanSpread(cells []float64) (mean, spread float64) {
	var s, ss float64
	for _, m := range cells {
		s += m
		ss += m * m
	}
	n := float64(len(cells))
	mean = s / n
	return mean, math.Sqrt(max(0, ss/n-mean*mean))
}

// GreyCells is a 64×48 grey copy of an 8-bit BGR picture (its margins are
// ignored), row by row, each cell the mean grey of its pixels (OpenCV's
// weights). A large picture is sampled on a grid a third of a cell apart, so
// a cell still averages a dozen or more pixels and a 4K frame costs what a
// VGA one does. Smaller pictures get fewer cells (cols×rows), never empty
// ones. Sizes Pix cannot hold are an error (AreaInto's checks), never a
// black picture.
func GreyCells(img Image) (cells []float64, cols, rows int, err error) {
	if err := validateImage(img); err != nil {
		return nil, 0, 0, err
	}
	pix, w, h, stride := img.Pix, img.Width, img.Height, img.Stride
	cols, rows = min(w, StatCols), min(h, StatRows)
	step := max(1, min(w/StatCols, h/StatRows)/3)
	// first[c] is the first pixel read in a row that lies in cell column c.
	first := make([]int, cols+1)
	for c := range first {
		first[c] = (c*w + cols - 1) / cols
		first[c] = (first[c] + step - 1) / step * step
	}
	sum := make([]uint64, cols*rows)
	for y := 0; y < h; y += step {
		row := pix[y*stride : y*stride+3*w]
		cells := sum[y*rows/h*cols:][:cols]
		for c := range cells {
			// One cell's run of pixels summed in registers: adding each
			// pixel to memory makes every add wait for the last.
			var b, g, r uint32
			for x := first[c]; x < first[c+1]; x += step {
				p := row[3*x : 3*x+3 : 3*x+3]
				b, g, r = b+uint32(p[0]), g+uint32(p[1]), r+uint32(p[2])
			}
			// Grey is linear in the channels, so the cell's grey is that of
			// its channels' sums (OpenCV's weights: 0.114, 0.587, 0.299).
			cells[c] += uint64(b)*1868 + uint64(g)*9617 + uint64(r)*4899
		}
	}
	// Every cell holds the same number of rows read as its row of cells
	// spans, times the pixels read per row in its column.
	rowsRead := make([]int, rows)
	for y := 0; y < h; y += step {
		rowsRead[y*rows/h]++
	}
	cells = make([]float64, len(sum))
	for i, v := range sum {
		c := i % cols
		cells[i] = float64(v) / (1 << 14) / float64(rowsRead[i/cols]*((first[c+1]-first[c]+step-1)/step))
	}
	return cells, cols, rows, nil
}
