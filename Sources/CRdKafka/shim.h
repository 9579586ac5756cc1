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

#endif
