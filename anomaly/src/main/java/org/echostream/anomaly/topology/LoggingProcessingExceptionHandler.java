package org.echostream.anomaly.topology;

import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last line of defence for an exception that escapes the processor's own handling (which sends the record
 * to the dead-letter topic): log where it happened, without the payload, and keep the service running.
 * Kafka Streams counts the record in its {@code dropped-records} metric. Kafka Streams 4.1 handlers cannot
 * produce dead letters themselves (that came with KIP-1034 in 4.2), hence the processor does it.
 */
public final class LoggingProcessingExceptionHandler implements ProcessingExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(LoggingProcessingExceptionHandler.class);

    @Override
    public ProcessingHandlerResponse handle(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        LOG.error("record {}-{}@{} dropped by node {} of task {}: {}", context.topic(), context.partition(), context.offset(),
                context.processorNodeId(), context.taskId(), exception.toString(), exception);
        return ProcessingHandlerResponse.CONTINUE;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        // nothing to configure
    }
}
