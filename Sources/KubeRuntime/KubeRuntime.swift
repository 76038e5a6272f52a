/// KubeRuntime: the controller machinery Roost runs on — reflectors and informers with indexed
/// stores, a rate-limited work queue, the reconcile loop, leader election, probes and metrics.
public enum KubeRuntime {
    /// The module's version, reported in logs.
    public static let version = "0.1.0"
}
