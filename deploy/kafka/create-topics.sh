#!/usr/bin/env bash
# Creates the topics listed in topics.txt ("<name> <partitions>" a line, `#` comments) on a
# Kafka broker. Idempotent (--if-not-exists). docker-compose.yml runs it once, in the
# `kafka-init` job, with the apache/kafka image's own kafka-topics.sh.
#
# Environment:
#   BOOTSTRAP_SERVERS   broker to talk to              (default kafka:9092)
#   TOPICS_FILE         the topic list                 (default /opt/parovoz/topics.txt)
#   KAFKA_TOPICS        the kafka-topics.sh to run     (default /opt/kafka/bin/kafka-topics.sh)
#   REPLICATION_FACTOR  replicas per partition         (default 1: compose runs one broker)
set -euo pipefail

bootstrap="${BOOTSTRAP_SERVERS:-kafka:9092}"
topics_file="${TOPICS_FILE:-/opt/parovoz/topics.txt}"
kafka_topics="${KAFKA_TOPICS:-/opt/kafka/bin/kafka-topics.sh}"
replication="${REPLICATION_FACTOR:-1}"

created=0
while read -r name partitions extra || [[ -n "${name:-}" ]]; do
    name="${name%%#*}"
    [[ -z "$name" ]] && continue
    partitions="${partitions%%#*}"
    if [[ ! "$partitions" =~ ^[1-9][0-9]*$ ]] || [[ -n "${extra%%#*}" ]]; then
        echo "create-topics: bad line in $topics_file: '$name $partitions $extra'" >&2
        exit 2
    fi
    "$kafka_topics" --bootstrap-server "$bootstrap" --create --if-not-exists \
        --topic "$name" --partitions "$partitions" --replication-factor "$replication"
    created=$((created + 1))
done < "$topics_file"

if [[ "$created" -eq 0 ]]; then
    echo "create-topics: no topics in $topics_file" >&2
    exit 2
fi
echo "create-topics: $created topics present on $bootstrap"
