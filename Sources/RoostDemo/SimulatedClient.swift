import KubeClient
import KubeSim

extension KubeSim {
    /// A client of this simulated cluster with its admin token, without client-side rate
    /// limiting (the demo, benchmarks and tests drive it as fast as they can).
    /// - Throws: ``KubeError`` when the transport cannot start.
    public func adminClient(source: String = "roost") throws(KubeError) -> KubeClient {
        var options = KubeClient.Options()
        options.qps = nil
        return try KubeClient(
            configuration: ClientConfiguration(
                server: url, credentials: StaticCredentialProvider(Credentials(bearerToken: adminToken)), source: source),
            options: options)
    }
}
