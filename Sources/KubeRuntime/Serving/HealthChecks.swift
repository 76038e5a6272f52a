import Synchronization

/// Named health checks behind `/healthz` (alive) and `/readyz` (ready: caches synced, watches
/// healthy), reported the way controller-runtime's healthz handler and kube-apiserver do:
/// one line per check, `[+]name ok` or `[-]name failed: reason`, and status 500 when any fails.
public final class HealthChecks: Sendable {
    /// A check answers nil when healthy, or why it is not.
    public typealias Check = @Sendable () -> String?

    private let liveness = Mutex<[(String, Check)]>([])
    private let readiness = Mutex<[(String, Check)]>([])

    public init() {}

    public func addLivenessCheck(_ name: String, _ check: @escaping Check) {
        liveness.withLock { $0.append((name, check)) }
    }

    public func addReadinessCheck(_ name: String, _ check: @escaping Check) {
        readiness.withLock { $0.append((name, check)) }
    }

    /// Makes `/readyz` depend on an informer: synced, and its watch open and not wedged.
    public func addInformer<Object: Cacheable>(_ name: String, _ informer: Informer<Object>) {
        addReadinessCheck("informer-\(name)") { informer.readinessProblem }
    }

    /// Runs the checks of one endpoint.
    /// - Returns: whether all passed and the verbose report.
    func evaluate(ready: Bool) -> (healthy: Bool, report: String) {
        let checks = ready ? readiness.withLock { $0 } : liveness.withLock { $0 }
        var lines: [String] = []
        var healthy = true
        for (name, check) in checks {
            if let problem = check() {
                healthy = false
                lines.append("[-]\(name) failed: \(problem)")
            } else {
                lines.append("[+]\(name) ok")
            }
        }
        lines.append(healthy ? "\(ready ? "readyz" : "healthz") check passed" : "\(ready ? "readyz" : "healthz") check failed")
        return (healthy, lines.joined(separator: "\n") + "\n")
    }
}
