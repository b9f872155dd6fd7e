package report

import (
	"context"
	"errors"
	"sync"
)

// prefetch runs produce in a goroutine of its own and hands what it sends to
// consume in batches over a two-batch channel, so reading the store and
// encoding the file overlap on two cores while memory stays bounded by a few
// batches. An error on either side stops both; produce sees its context
// cancelled.
func prefetch[T any](ctx context.Context, batch int, produce func(ctx context.Context, send func(T) error) error, consume func(T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan []T, 2)
	errc := make(chan error, 1)
	go func() {
		defer close(ch)
		buf := make([]T, 0, batch)
		flush := func() error {
			if err := ctx.Err(); err != nil {
				return err // consumer gone: stop even when ch has room
			}
			select {
			case ch <- buf:
				buf = make([]T, 0, batch)
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		err := produce(ctx, func(v T) error {
			buf = append(buf, v)
			if len(buf) == batch {
				return flush()
			}
			return nil
		})
		if err == nil && len(buf) > 0 {
			err = flush()
		}
		errc <- err
	}()
	for b := range ch {
		for _, v := range b {
			if err := consume(v); err != nil {
				cancel()
				for range ch {
					// Drain until the producer, now cancelled, closes ch.
				}
				<-errc
				return err
			}
		}
	}
	return <-errc
}

// runConcurrently runs the independent queries of a report at once (the read pool
// has several connections) and returns the first error.
func runConcurrently(tasks ...func() error) error {
	errs := make([]error, len(tasks))
	var wg sync.WaitGroup
	for i, task := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = task()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
