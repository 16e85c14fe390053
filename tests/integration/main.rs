//! jaga's integration tests: one binary, shared helpers.
//!
//! Kafka tests run against a real Kafka-protocol broker (`tansu`, in-memory storage) started on a
//! free loopback port by [`broker::Broker`]. Without the broker they skip with a note — except
//! under CI (`CI` set), where a missing broker fails them.

mod broker;
mod cli;
mod faults;
mod kafka;
mod ops;
mod state;
mod support;
mod verdicts;
