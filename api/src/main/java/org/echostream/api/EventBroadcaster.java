package org.echostream.api;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.inject.Singleton;
import org.echostream.api.model.Views;

/** New anomaly events (first seen after the rebuild) to every open server-sent-events stream. */
@Singleton
class EventBroadcaster {

    private final BroadcastProcessor<Views.Event> processor = BroadcastProcessor.create();

    void publish(Views.Event event) {
        processor.onNext(event);
    }

    /** A subscriber 256 events behind has its stream ended (it reconnects and reads /api/v1/events) rather than slowing the read model. */
    Multi<Views.Event> stream() {
        return processor.onOverflow().buffer(256);
    }
}
