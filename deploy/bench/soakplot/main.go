// Command soakplot draws a soak's chart (deploy/bench/soak.sh): the
// broker's resident memory, the bookings' p99 per window and the outbox's
// depth over the run, three panels over one time axis, as a PNG. It reads
// the sampler's CSV (unix seconds, RSS in KiB, outbox depth) and the
// loadgen report's windows (JSON). Plotted by gonum.org/v1/plot.
//
// Usage: go run ./deploy/bench/soakplot --samples S.csv --report R.json --out docs/soak.png [--title T]
package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"os"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

func main() {
	samples := flag.String("samples", "", "the sampler's CSV: unix_seconds,rss_kib,outbox")
	report := flag.String("report", "", "loadgen's JSON report with windows")
	out := flag.String("out", "soak.png", "the PNG to write")
	title := flag.String("title", "Soak", "the chart's title")
	flag.Parse()
	if err := run(*samples, *report, *out, *title); err != nil {
		fmt.Fprintln(os.Stderr, "soakplot:", err)
		os.Exit(1)
	}
}

func run(samplesPath, reportPath, out, title string) error {
	if samplesPath == "" || reportPath == "" {
		return errors.New("give --samples and --report")
	}
	rows, err := readCSV(samplesPath)
	if err != nil {
		return err
	}
	var rep struct {
		Windows []struct {
			Start int64   `json:"start_unix"`
			P99   float64 `json:"p99_ms"`
		} `json:"windows"`
	}
	data, err := os.ReadFile(reportPath)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		return fmt.Errorf("%s: %w", reportPath, err)
	}
	if len(rows) == 0 || len(rep.Windows) == 0 {
		return errors.New("no samples or no windows to plot")
	}
	t0 := rows[0][0]
	if w := float64(rep.Windows[0].Start); w < t0 {
		t0 = w
	}
	rss, outbox, p99 := plotter.XYs{}, plotter.XYs{}, plotter.XYs{}
	for _, r := range rows {
		rss = append(rss, plotter.XY{X: (r[0] - t0) / 60, Y: r[1] / 1024})
		outbox = append(outbox, plotter.XY{X: (r[0] - t0) / 60, Y: r[2]})
	}
	for _, w := range rep.Windows {
		p99 = append(p99, plotter.XY{X: (float64(w.Start) - t0 + 5) / 60, Y: w.P99})
	}
	panels := []struct {
		title, y string
		xy       plotter.XYs
		c        color.Color
	}{
		{title + ": broker RSS", "MiB", rss, color.RGBA{R: 31, G: 119, B: 180, A: 255}},
		{"booking latency p99 per 10 s window", "ms", p99, color.RGBA{R: 214, G: 39, B: 40, A: 255}},
		{"outbox depth (messages not yet published)", "messages", outbox, color.RGBA{R: 44, G: 160, B: 44, A: 255}},
	}
	xmax := 0.0 // one time axis for the three panels
	for _, p := range panels {
		for _, xy := range p.xy {
			xmax = max(xmax, xy.X)
		}
	}
	plots := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		pl := plot.New()
		pl.Title.Text, pl.Y.Label.Text, pl.X.Label.Text = p.title, p.y, "minutes"
		pl.Y.Min, pl.X.Min, pl.X.Max = 0, 0, xmax
		line, err := plotter.NewLine(p.xy)
		if err != nil {
			return err
		}
		line.Color, line.Width = p.c, vg.Points(1.5)
		pl.Add(line, plotter.NewGrid())
		plots[i] = []*plot.Plot{pl}
	}
	img := vgimg.New(vg.Points(800), vg.Points(900))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadY: vg.Points(12), PadTop: vg.Points(6), PadBottom: vg.Points(6),
		PadLeft: vg.Points(6), PadRight: vg.Points(12)}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readCSV reads rows of numbers, skipping a header line.
func readCSV(path string) ([][3]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out [][3]float64
	for i, r := range recs {
		if len(r) < 3 {
			return nil, fmt.Errorf("%s line %d: want 3 columns", path, i+1)
		}
		var row [3]float64
		ok := true
		for j := range 3 {
			v, err := strconv.ParseFloat(r[j], 64)
			if err != nil {
				ok = false
				break
			}
			row[j] = v
		}
		if !ok {
			if i == 0 {
				continue // the header
			}
			return nil, fmt.Errorf("%s line %d: %v is not numbers", path, i+1, r)
		}
		out = append(out, row)
	}
	return out, nil
}
