import ArgumentParser
import Foundation
import KubeClient
import KubeRuntime
import Logging
import Metrics
import Prometheus
import Roost

/// `roost run`: the operator (SPEC §3, §4).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the operator against the cluster of --kubeconfig, the in-cluster config, or $KUBECONFIG.",
        discussion: """
            Every flag has an environment variable ROOST_<FLAG> (flags win). The affinity settings are read
            from the KUBERNETES_* and ROOST_STICKINESS_WEIGHT variables of SPEC §3. Invalid values stop
            start-up with one line each, before the cluster is touched.
            """)

    @OptionGroup var options: RunOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration: OperatorConfiguration
        do {
            configuration = try OperatorConfiguration.resolve(flags: options.flags, environment: environment)
        } catch {
            for line in error.lines { FileHandle.standardError.write(Data("roost: \(line)\n".utf8)) }
            throw ExitCode(2)
        }
        guard configuration.schedulingMode == .sync else {
            FileHandle.standardError.write(
                Data(
                    "roost: --scheduling-mode=\"\(configuration.schedulingMode.rawValue)\": only sync is available in this version\n"
                        .utf8))
            throw ExitCode(2)
        }
        // Logging first: loading the cluster configuration may already warn (insecure TLS, ...).
        RoostLogging.bootstrap(format: configuration.logFormat, level: configuration.logLevel)
        let clientConfiguration: ClientConfiguration
        do {
            clientConfiguration = try ClientConfiguration.load(kubeconfigPath: configuration.kubeconfig)
        } catch {
            FileHandle.standardError.write(Data("roost: cannot load the cluster configuration: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "roost")
        var clientOptions = KubeClient.Options()
        // The API server's priority and fairness does the throttling (as controller-runtime with APF).
        clientOptions.qps = nil
        clientOptions.userAgent = KubeClient.defaultUserAgent(version: RoostVersion.current)
        let client = try KubeClient(configuration: clientConfiguration, options: clientOptions)
        let roost = try RoostOperator(client: client, configuration: configuration, registry: registry, logger: logger)
        do {
            try await roost.run()
        } catch {
            logger.critical("\(error)")
            throw ExitCode(1)
        }
    }
}
