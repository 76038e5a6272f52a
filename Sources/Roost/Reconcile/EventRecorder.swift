import Foundation
import KubeClient
import KubeModel
import Logging
import Metrics
import Synchronization

/// Writes core/v1 Events about Roost's objects (Bound, Spawned, Reaped, Released,
/// PlacementFailed) without holding up the reconcile that caused them: ``record(_:)`` queues
/// and returns, and ``run()`` sends in the background, as client-go's `record.EventBroadcaster`
/// does (`tools/record/event.go`). Events are best-effort: a failed write is logged and counted
/// (`roost_events_total{result}`), never retried, and the queue is bounded (the oldest waiting
/// event is dropped when it is full).
public final class EventRecorder: Sendable {
    /// The object an Event is about.
    public struct InvolvedObject: Sendable, Equatable {
        public var apiVersion: String
        public var kind: String
        public var namespace: String
        public var name: String
        public var uid: String

        public init(apiVersion: String, kind: String, namespace: String, name: String, uid: String) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.namespace = namespace
            self.name = name
            self.uid = uid
        }
    }

    /// One Event to write.
    public struct Event: Sendable, Equatable {
        /// `Normal` or `Warning`.
        public enum Kind: String, Sendable { case normal = "Normal", warning = "Warning" }
        public var object: InvolvedObject
        public var kind: Kind
        /// UpperCamelCase reason, e.g. `Bound`.
        public var reason: String
        public var message: String

        public init(object: InvolvedObject, kind: Kind, reason: String, message: String) {
            self.object = object
            self.kind = kind
            self.reason = reason
            self.message = message
        }
    }

    private let client: KubeClient
    private let component: String
    private let instance: String
    private let capacity: Int
    private let logger: Logger
    private let queue = Mutex(Queue())
    private let sent: Counter
    private let failed: Counter
    private let dropped: Counter

    private struct Queue {
        var events: [Event] = []
        var waiter: CheckedContinuation<Void, Never>?
        /// True while no ``run()`` sends: new Events are not queued.
        var stopped = true
    }

    /// - Parameters:
    ///   - component: `source.component` and `reportingComponent` (`roost`).
    ///   - instance: `reportingInstance`, this replica's identity.
    ///   - capacity: events kept waiting at most.
    public init(
        client: KubeClient, component: String = "roost", instance: String, capacity: Int = 1000,
        logger: Logger = Logger(label: "roost.events")
    ) {
        self.client = client
        self.component = component
        self.instance = instance
        self.capacity = capacity
        self.logger = logger
        sent = Counter(label: "roost_events_total", dimensions: [("result", "sent")])
        failed = Counter(label: "roost_events_total", dimensions: [("result", "failed")])
        dropped = Counter(label: "roost_events_total", dimensions: [("result", "dropped")])
    }

    /// Whether a ``run()`` is sending, so that ``record(_:)`` queues Events.
    var isRunning: Bool { queue.withLock { !$0.stopped } }

    /// Queues an Event; returns at once.
    public func record(_ event: Event) {
        let (waiter, overflow) = queue.withLock { queue -> (CheckedContinuation<Void, Never>?, Bool) in
            guard !queue.stopped else { return (nil, false) }
            var overflow = false
            if queue.events.count >= capacity {
                queue.events.removeFirst()
                overflow = true
            }
            queue.events.append(event)
            defer { queue.waiter = nil }
            return (queue.waiter, overflow)
        }
        if overflow { dropped.increment() }
        waiter?.resume()
    }

    /// Sends queued Events until the task is cancelled. Run it only while leading: Events queued
    /// when the term ends are dropped (and counted), so a follower writes nothing. Calling it
    /// again (a new term) starts from an empty queue.
    public func run() async {
        queue.withLock { queue in
            queue.events.removeAll()
            queue.stopped = false
        }
        while !Task.isCancelled {
            let batch = queue.withLock { queue -> [Event] in
                defer { queue.events.removeAll(keepingCapacity: true) }
                return queue.events
            }
            for event in batch where !Task.isCancelled { await send(event) }
            guard batch.isEmpty else { continue }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let resumeNow = queue.withLock { queue -> Bool in
                        if !queue.events.isEmpty || queue.stopped { return true }
                        queue.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                let waiter = queue.withLock { queue -> CheckedContinuation<Void, Never>? in
                    queue.stopped = true
                    defer { queue.waiter = nil }
                    return queue.waiter
                }
                waiter?.resume()
            }
        }
        let left = queue.withLock { queue -> Int in
            queue.stopped = true
            defer { queue.events.removeAll() }
            return queue.events.count
        }
        if left > 0 { dropped.increment(by: left) }
    }

    /// The core/v1 Event object for `event` at `time` (seconds since the epoch).
    func object(for event: Event, at time: Double) -> JSONValue {
        let stamp = Timestamp.rfc3339(time)
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("\(event.object.name).\(suffix)"), "namespace": .string(event.object.namespace)],
            "involvedObject": [
                "apiVersion": .string(event.object.apiVersion), "kind": .string(event.object.kind),
                "namespace": .string(event.object.namespace), "name": .string(event.object.name),
                "uid": .string(event.object.uid),
            ],
            "reason": .string(event.reason), "message": .string(event.message), "type": .string(event.kind.rawValue),
            "source": ["component": .string(component)],
            "reportingComponent": .string(component), "reportingInstance": .string(instance),
            "firstTimestamp": .string(stamp), "lastTimestamp": .string(stamp), "count": 1,
        ]
    }

    private func send(_ event: Event) async {
        do {
            _ = try await client.create(.events, namespace: event.object.namespace, object(for: event, at: Timestamp.now()))
            sent.increment()
        } catch {
            if error.isCancelled {
                dropped.increment()
                return
            }
            failed.increment()
            logger.warning(
                "could not write Event \(event.reason) for \(event.object.kind) \(event.object.namespace)/\(event.object.name): \(error)"
            )
        }
    }
}
