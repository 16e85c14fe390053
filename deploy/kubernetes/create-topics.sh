#!/bin/sh
# Creates the topics jaga reads and writes, with the settings docs/topics in deploy/README.md
# explains. Idempotent (--if-not-exists). Runs with Apache Kafka's own CLI: the Kubernetes Job
# jaga-topics (topics-job.yaml) and the compose service kafka-init both use it.
#
#   BOOTSTRAP=kafka:9092 PARTITIONS=12 REPLICATION=3 ./create-topics.sh
set -eu
BOOTSTRAP="${BOOTSTRAP:-kafka:9092}"
PARTITIONS="${PARTITIONS:-6}"
REPLICATION="${REPLICATION:-3}"
KAFKA_TOPICS="${KAFKA_TOPICS:-/opt/kafka/bin/kafka-topics.sh}"
DAY=86400000

create() {
  topic="$1"; shift
  echo "topic $topic: $*"
  "$KAFKA_TOPICS" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$topic" \
    --partitions "$PARTITIONS" --replication-factor "$REPLICATION" "$@"
}

# Chat messages, keyed by conversation id. Usually the platform's own topic; created here only
# when it does not exist (a laptop trial).
create "${JAGA_INPUT_TOPIC:-chat.messages}" --config retention.ms=$((7 * DAY))
# Risk events for reviewers, keyed by conversation id.
create "${JAGA_OUTPUT_TOPIC:-moderation.risk-events}" --config retention.ms=$((30 * DAY))
# Bad input records and bad verdicts, original bytes plus jaga.dlq.* headers.
create "${JAGA_DLQ_TOPIC:-chat.messages.dlq}" --config retention.ms=$((14 * DAY))
# Conversation state (issue 9): compacted, keyed by conversation id, and co-partitioned with the
# input (the same PARTITIONS), so restoring partition N reads changelog partition N only.
create "${JAGA_STATE_CHANGELOG_TOPIC:-jaga.state.changelog}" \
  --config cleanup.policy=compact --config min.compaction.lag.ms=60000 --config segment.ms=3600000 \
  --config min.cleanable.dirty.ratio=0.1
# Reviewer verdicts (docs/reviewer-loop.md), keyed by conversation id. Kept at least as long as
# the live precision window (30 days) so a restarted consumer can rebuild it.
create "${JAGA_VERDICTS_TOPIC:-moderation.verdicts}" --config retention.ms=$((35 * DAY))
