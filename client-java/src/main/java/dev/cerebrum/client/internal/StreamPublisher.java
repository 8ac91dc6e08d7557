package dev.cerebrum.client.internal;

import dev.cerebrum.client.InferenceStream;
import dev.cerebrum.client.StreamEvent;

import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A cold, single-subscriber publisher over a blocking {@link InferenceStream}: one virtual thread
 * opens the stream on subscribe and emits events as demand allows. Cancelling closes the stream.
 */
final class StreamPublisher implements Flow.Publisher<StreamEvent> {

    private final Supplier<InferenceStream> opener;
    private final Executor executor;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    StreamPublisher(Supplier<InferenceStream> opener, Executor executor) {
        this.opener = opener;
        this.executor = executor;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super StreamEvent> subscriber) {
        if (!subscribed.compareAndSet(false, true)) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            subscriber.onError(new IllegalStateException("this publisher allows one subscriber"));
            return;
        }
        Emitter emitter = new Emitter(subscriber);
        subscriber.onSubscribe(emitter);
        try {
            executor.execute(emitter::run);
        } catch (RejectedExecutionException e) {
            emitter.terminate(new IllegalStateException("the client is closed", e));
        }
    }

    private final class Emitter implements Flow.Subscription {
        private final Flow.Subscriber<? super StreamEvent> subscriber;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition demanded = lock.newCondition();
        private long demand;
        private volatile boolean cancelled;
        private volatile InferenceStream stream;
        private final AtomicBoolean terminated = new AtomicBoolean();

        Emitter(Flow.Subscriber<? super StreamEvent> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                terminate(new IllegalArgumentException("request(n) needs n > 0 (reactive streams rule 3.9)"));
                cancel();
                return;
            }
            lock.lock();
            try {
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                demanded.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
            InferenceStream s = stream;
            if (s != null) {
                s.close();
            }
            lock.lock();
            try {
                demanded.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void run() {
            InferenceStream s;
            try {
                s = opener.get();
            } catch (Throwable t) {
                terminate(t);
                return;
            }
            stream = s;
            try (s) {
                while (!cancelled && awaitDemand()) {
                    if (!s.hasNext()) {
                        if (!cancelled && terminated.compareAndSet(false, true)) {
                            subscriber.onComplete();
                        }
                        return;
                    }
                    StreamEvent e = s.next();
                    lock.lock();
                    try {
                        demand--;
                    } finally {
                        lock.unlock();
                    }
                    subscriber.onNext(e);
                }
            } catch (Throwable t) {
                terminate(t);
            }
        }

        private boolean awaitDemand() {
            lock.lock();
            try {
                while (demand == 0 && !cancelled) {
                    demanded.await();
                }
                return !cancelled;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                lock.unlock();
            }
        }

        void terminate(Throwable t) {
            if (!cancelled && terminated.compareAndSet(false, true)) {
                subscriber.onError(t);
            }
        }
    }
}
