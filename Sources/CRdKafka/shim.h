#ifndef CRDKAFKA_SHIM_H
#define CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/// RD_KAFKA_PARTITION_UA is a cast macro that Swift cannot import.
static inline int32_t CRdKafka_partitionUnassigned(void) { return RD_KAFKA_PARTITION_UA; }

/// RD_KAFKA_OFFSET_* are macros over casts as well.
static inline int64_t CRdKafka_offsetBeginning(void) { return RD_KAFKA_OFFSET_BEGINNING; }
static inline int64_t CRdKafka_offsetEnd(void) { return RD_KAFKA_OFFSET_END; }
static inline int64_t CRdKafka_offsetStored(void) { return RD_KAFKA_OFFSET_STORED; }
static inline int64_t CRdKafka_offsetInvalid(void) { return RD_KAFKA_OFFSET_INVALID; }

/// rd_kafka_mock_broker_push_request_error_rtts is variadic (error, rtt pairs): one pair per call.
static inline rd_kafka_resp_err_t CRdKafka_mockPushBrokerError(rd_kafka_mock_cluster_t *cluster, int32_t broker,
                                                               int16_t apiKey, rd_kafka_resp_err_t err,
                                                               int rttMilliseconds) {
    return rd_kafka_mock_broker_push_request_error_rtts(cluster, broker, apiKey, 1, err, rttMilliseconds);
}

#endif
