package report

import (
	"context"
	"errors"
	"testing"
)

func TestPrefetchHandsOverEveryValueInOrder(t *testing.T) {
	var got []int
	err := prefetch(context.Background(), 3, func(ctx context.Context, send func(int) error) error {
		for i := 0; i < 10; i++ {
			if err := send(i); err != nil {
				return err
			}
		}
		return nil
	}, func(v int) error { got = append(got, v); return nil })
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("got %v, want 0..9 in order", got)
		}
	}
	if len(got) != 10 {
		t.Fatalf("got %d values, want 10", len(got))
	}
}

func TestPrefetchConsumerErrorStopsTheProducer(t *testing.T) {
	stop := errors.New("disk full")
	sent := 0
	err := prefetch(context.Background(), 2, func(ctx context.Context, send func(int) error) error {
		for i := 0; ; i++ {
			if err := send(i); err != nil {
				return err
			}
			sent++
		}
	}, func(v int) error {
		if v == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v, want the consumer's", err)
	}
	if sent > 20 {
		t.Fatalf("producer sent %d values after the consumer stopped at 5", sent)
	}
}

func TestPrefetchReturnsTheProducerError(t *testing.T) {
	broken := errors.New("query failed")
	n := 0
	err := prefetch(context.Background(), 4, func(ctx context.Context, send func(int) error) error {
		for i := 0; i < 6; i++ {
			if err := send(i); err != nil {
				return err
			}
		}
		return broken
	}, func(int) error { n++; return nil })
	if !errors.Is(err, broken) {
		t.Fatalf("err = %v, want the producer's", err)
	}
	if n != 4 {
		// The full batch went over; the partial one is dropped with the error.
		t.Fatalf("consumed %d, want the 4 of the full batch", n)
	}
}
