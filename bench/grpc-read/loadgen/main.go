// Command loadgen is grpc-read's load generator: unary gRPC calls whose requests are given already encoded, from
// -concurrency callers on one connection, back to back or paced together at -rate calls per second. A paced call is
// timed from when it was due, not from when it was sent, so a stall also counts against the calls it delayed (no
// coordinated omission). It is written in Go so that the load generator's own garbage collector and CPU use, on the
// same two cores as the server, weigh as little as they can on the server's figures.
//
// Usage: loadgen -addr 127.0.0.1:50051 -method /pkg.Service/Method -requests FILE [-concurrency 50] [-rate 3000]
// [-seconds 20] [-warmup-seconds 0] [-timeout-seconds 10]. FILE has one base64-encoded request per line; call i sends line i mod n. It
// prints one JSON object: {"calls", "errors", "firstError", "rate", "p50Ms", "p99Ms", "maxMs"}.
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// raw sends and receives message bytes as they are: the requests are encoded by the caller, replies are not decoded.
type raw struct{}

func (raw) Marshal(v any) ([]byte, error) { return *v.(*[]byte), nil }
func (raw) Unmarshal(data []byte, v any) error {
	*v.(*[]byte) = data
	return nil
}
func (raw) Name() string { return "proto" }

type result struct {
	Calls      int     `json:"calls"`
	Errors     int     `json:"errors"`
	FirstError string  `json:"firstError,omitempty"`
	Rate       float64 `json:"rate"`
	P50Ms      float64 `json:"p50Ms"`
	P99Ms      float64 `json:"p99Ms"`
	MaxMs      float64 `json:"maxMs"`
}

func main() {
	addr := flag.String("addr", "", "server address, host:port")
	method := flag.String("method", "", "full method name, /package.Service/Method")
	requestsFile := flag.String("requests", "", "file with one base64-encoded request per line")
	concurrency := flag.Int("concurrency", 50, "callers")
	rate := flag.Float64("rate", 0, "calls per second from all callers together; 0: back to back")
	seconds := flag.Float64("seconds", 20, "how long to measure")
	warmup := flag.Float64("warmup-seconds", 0, "back-to-back calls before measuring, not counted")
	timeout := flag.Float64("timeout-seconds", 10, "each call's deadline (agentctl sends one, so the server keeps a timer per call)")
	flag.Parse()
	if *addr == "" || *method == "" || *requestsFile == "" || *concurrency < 1 || *rate < 0 || *seconds <= 0 {
		fmt.Fprintln(os.Stderr, "loadgen: -addr, -method and -requests are required; -concurrency ≥ 1, -rate ≥ 0, -seconds > 0")
		os.Exit(2)
	}
	requests, err := readRequests(*requestsFile)
	if err != nil {
		fmt.Fprintf(os.Stderr, "loadgen: -requests %s: %v\n", *requestsFile, err)
		os.Exit(2)
	}
	conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(raw{})))
	if err != nil {
		fmt.Fprintf(os.Stderr, "loadgen: -addr %s: %v\n", *addr, err)
		os.Exit(2)
	}
	defer conn.Close()
	call := func(i int) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(*timeout*float64(time.Second)))
		defer cancel()
		var reply []byte
		return conn.Invoke(ctx, *method, &requests[i%len(requests)], &reply)
	}
	if *warmup > 0 {
		run(call, *concurrency, 0, time.Duration(*warmup*float64(time.Second)))
	}
	out := run(call, *concurrency, *rate, time.Duration(*seconds*float64(time.Second)))
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		os.Exit(1)
	}
}

func readRequests(file string) ([][]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var requests [][]byte
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; scanner.Scan(); line++ {
		if len(scanner.Bytes()) == 0 {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(scanner.Text())
		if err != nil {
			return nil, fmt.Errorf("line %d: not base64: %v", line, err)
		}
		requests = append(requests, b)
	}
	if err := scanner.Err(); err != nil {
		return nil, err
	}
	if len(requests) == 0 {
		return nil, fmt.Errorf("no requests in the file")
	}
	return requests, nil
}

// run issues calls from `callers` goroutines for `d`: back to back when rate is 0, else each caller every
// callers/rate seconds, the callers evenly staggered.
func run(call func(int) error, callers int, rate float64, d time.Duration) result {
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errors    int
		first     string
		wg        sync.WaitGroup
	)
	start := time.Now()
	end := start.Add(d)
	var interval time.Duration
	if rate > 0 {
		interval = time.Duration(float64(callers) / rate * float64(time.Second))
	}
	for w := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			var failed int
			var firstErr error
			due := start.Add(interval * time.Duration(w) / time.Duration(callers))
			for i := w; due.Before(end) && time.Now().Before(end); i += callers {
				t := time.Now()
				if rate > 0 {
					if wait := time.Until(due); wait > 0 {
						time.Sleep(wait)
					}
					t = due
				}
				due = due.Add(interval)
				if err := call(i); err != nil {
					failed++
					if firstErr == nil {
						firstErr = err
					}
					continue
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			defer mu.Unlock()
			latencies = append(latencies, mine...)
			errors += failed
			if first == "" && firstErr != nil {
				first = firstErr.Error()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(latencies)
	return result{
		Calls:      len(latencies),
		Errors:     errors,
		FirstError: first,
		Rate:       float64(len(latencies)) / elapsed.Seconds(),
		P50Ms:      millis(percentile(latencies, 50)),
		P99Ms:      millis(percentile(latencies, 99)),
		MaxMs:      millis(percentile(latencies, 100)),
	}
}

// percentile is the nearest-rank percentile of sorted samples (as bench/lib/stats.ts).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(len(sorted), max(1, rank))-1]
}

func millis(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Microsecond)) / 1000 }
