import KubeRuntime
import Logging
import Synchronization

/// The last-node write-back of B6, off the reconcile path: ``request(runtime:node:)`` queues and
/// returns; ``run(writes:)``, part of the leading work, sends each as a merge patch with its own
/// 5 s timeout. Best-effort: failures are logged and counted (`roost_last_node_writes_total`), never
/// fail a session; requests made while no term leads, and those still queued when the term ends
/// (shutdown included), are skipped.
final class LastNodeWriter: Sendable {
    private struct Request: Sendable {
        var runtime: ObjectName
        var node: String
    }

    private let queue = Mutex<AsyncStream<Request>.Continuation?>(nil)
    private let metrics: RoostMetrics

    init(metrics: RoostMetrics) {
        self.metrics = metrics
    }

    /// Queues a write of `roost.dev/last-node: node` on `runtime`.
    func request(runtime: ObjectName, node: String) {
        let continuation = queue.withLock { $0 }
        guard let continuation, case .enqueued = continuation.yield(Request(runtime: runtime, node: node)) else {
            metrics.lastNodeWrite(result: "skipped")
            return
        }
    }

    /// Sends queued writes until the task is cancelled (the term ended).
    func run(writes: ClusterWrites, logger: Logger) async {
        let (stream, continuation) = AsyncStream.makeStream(of: Request.self, bufferingPolicy: .bufferingNewest(1000))
        queue.withLock { $0 = continuation }
        defer {
            queue.withLock { $0 = nil }
            continuation.finish()
        }
        await withTaskCancellationHandler {
            for await request in stream {
                do throws(WriteError) {
                    try await writes.writeLastNode(runtime: request.runtime, node: request.node)
                    metrics.lastNodeWrite(result: "success")
                } catch .leadershipLost {
                    metrics.lastNodeWrite(result: "skipped")
                } catch {
                    metrics.lastNodeWrite(result: "failure")
                    logger.warning(
                        "could not write \(RoostAnnotation.lastNode)=\(request.node) on runtime \(request.runtime): \(error)")
                }
            }
        } onCancel: {
            continuation.finish()
        }
    }
}
