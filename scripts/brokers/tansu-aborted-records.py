#!/usr/bin/env python3
"""Shows, with confluent-kafka alone, that Tansu hands the records of an aborted transaction to a
read_committed reader (Apache Kafka hides them), while it does hold back an open one.

    python3 scripts/brokers/tansu-aborted-records.py        # starts Tansu from .tools/bin/tansu

Prints what a read_committed reader sees while a transaction is open, and after it was aborted
and another committed. Apache Kafka would print ['c1'] then ['c1', 'c2'].
Exits 1 when the aborted record was seen.
"""
import os
import socket
import subprocess
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
address = f"127.0.0.1:{port}"
tansu = subprocess.Popen(
    [os.path.join(root, ".tools/bin/tansu"), "broker", "--listener-url", f"tcp://{address}",
     "--advertised-listener-url", f"tcp://{address}", "--storage-engine", "memory://tansu/"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    time.sleep(2)
    admin = AdminClient({"bootstrap.servers": address})
    for future in admin.create_topics([NewTopic("t", 1, 1)]).values():
        future.result()

    def read_committed():
        reader = Consumer({"bootstrap.servers": address, "group.id": "reader", "isolation.level": "read_committed"})
        reader.assign([TopicPartition("t", 0, 0)])
        keys, deadline = [], time.time() + 4
        while time.time() < deadline:
            keys += [m.key().decode() for m in reader.consume(100, 0.5) if not m.error()]
        reader.close()
        return keys

    producer = Producer({"bootstrap.servers": address, "transactional.id": "probe"})
    producer.init_transactions(30)
    producer.begin_transaction(); producer.produce("t", key="c1", value="committed"); producer.commit_transaction(30)
    producer.begin_transaction(); producer.produce("t", key="a1", value="aborted"); producer.flush()
    print("while a transaction is open:", read_committed())
    producer.abort_transaction(30)
    producer.begin_transaction(); producer.produce("t", key="c2", value="committed"); producer.commit_transaction(30)
    seen = read_committed()
    print("after it was aborted and another committed:", seen)
    sys.exit(0 if "a1" not in seen else 1)
finally:
    tansu.kill()
