import Foundation
import Testing

@testable import KubeClient

@Suite("ClientConfiguration resolution")
struct ClientConfigurationTests {
    static let twoContexts = """
        current-context: dev
        clusters:
        - name: dev-cluster
          cluster:
            server: https://127.0.0.1:6443/
            certificate-authority: ca.pem
            tls-server-name: kubernetes
        - name: prod-cluster
          cluster:
            server: https://prod.example.com
            certificate-authority-data: \(configBase64("INLINE-CA"))
        users:
        - name: dev-user
          user:
            client-certificate: pki/dev.crt
            client-key: pki/dev.key
        - name: prod-user
          user:
            token: prod-token
        contexts:
        - name: dev
          context: {cluster: dev-cluster, user: dev-user}
        - name: prod
          context: {cluster: prod-cluster, user: prod-user, namespace: shop}
        - name: broken
          context: {cluster: nowhere, user: prod-user}
        - name: ghost-user
          context: {cluster: prod-cluster, user: nobody}
        """

    func writeTwoContexts(_ dir: ConfigTempDirectory) throws -> String {
        try dir.write("ca.pem", "FILE-CA")
        try dir.write("pki/dev.crt", "DEV-CERT")
        try dir.write("pki/dev.key", "DEV-KEY")
        try dir.write("config", Self.twoContexts)
        return dir.url("kube/../config")  // cleaned when loaded
    }

    @Test func currentContextWithRelativeFiles() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let path = try writeTwoContexts(dir)
        let config = try ClientConfiguration.load(kubeconfigPath: path, environment: [:])
        #expect(path != dir.url("config"))
        #expect(config.server == "https://127.0.0.1:6443")
        #expect(config.tls == TLSSettings(caCertificatePEM: Array("FILE-CA".utf8), serverName: "kubernetes"))
        #expect(config.namespace == "default")
        #expect(config.source == "kubeconfig \(dir.url("config")) (context dev)")
        let credentials = try await config.credentials.credentials()
        #expect(credentials == Credentials(clientCertificatePEM: Array("DEV-CERT".utf8), clientKeyPEM: Array("DEV-KEY".utf8)))
    }

    @Test func contextOverrideUsesDataFields() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let path = try writeTwoContexts(dir)
        let config = try ClientConfiguration.load(kubeconfigPath: path, context: "prod", environment: [:])
        #expect(config.server == "https://prod.example.com")
        #expect(config.tls.caCertificatePEM == Array("INLINE-CA".utf8))
        #expect(config.namespace == "shop")
        #expect(try await config.credentials.credentials() == Credentials(bearerToken: "prod-token"))
    }

    @Test func missingReferencesAreNamed() throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let path = try writeTwoContexts(dir)
        let missingContext = #expect(throws: ConfigurationError.self) {
            try ClientConfiguration.load(kubeconfigPath: path, context: "staging", environment: [:])
        }
        #expect(missingContext?.kind == .missingReference)
        #expect(missingContext?.message.contains("context \"staging\" is not defined") == true)
        #expect(missingContext?.message.contains(dir.url("config")) == true)
        let missingCluster = #expect(throws: ConfigurationError.self) {
            try ClientConfiguration.load(kubeconfigPath: path, context: "broken", environment: [:])
        }
        #expect(missingCluster?.message.contains("cluster \"nowhere\"") == true)
        let missingUser = #expect(throws: ConfigurationError.self) {
            try ClientConfiguration.load(kubeconfigPath: path, context: "ghost-user", environment: [:])
        }
        #expect(missingUser?.message.contains("user \"nobody\"") == true)
    }

    @Test func unreadableReferencedFile() throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let path = try writeTwoContexts(dir)
        try dir.remove("pki/dev.key")
        let error = #expect(throws: ConfigurationError.self) {
            try ClientConfiguration.load(kubeconfigPath: path, environment: [:])
        }
        #expect(error?.kind == .unreadableFile)
        #expect(error?.message.contains(dir.path + "/pki/dev.key") == true)
        #expect(error?.message.contains("client-key of user \"dev-user\"") == true)
    }

    @Test func serverURLValidation() throws {
        func server(_ value: String) throws(ConfigurationError) -> String {
            let kubeconfig = Kubeconfig(
                clusters: ["c": .init(server: value)], contexts: ["x": .init(cluster: "c")], currentContext: "x")
            return try ClientConfiguration.fromKubeconfig(kubeconfig, environment: [:]).server
        }
        #expect(try server("http://localhost:8080") == "http://localhost:8080")
        #expect(try server("10.0.0.1:6443") == "https://10.0.0.1:6443")
        #expect(try server("https://rancher/k8s/clusters/c-1/") == "https://rancher/k8s/clusters/c-1")
        let error = #expect(throws: ConfigurationError.self) { try server("ftp://files:21") }
        #expect(error?.kind == .invalidValue)
        #expect(error?.message.contains("ftp://files:21") == true)
    }

    @Test func insecureSkipTLSVerify() throws {
        let yaml = """
            current-context: c
            clusters:
            - name: c
              cluster: {server: "https://x:6443", insecure-skip-tls-verify: true}
            - name: both
              cluster: {server: "https://x:6443", insecure-skip-tls-verify: true, certificate-authority-data: \(configBase64("CA"))}
            contexts:
            - {name: c, context: {cluster: c}}
            - {name: both, context: {cluster: both}}
            """
        let kubeconfig = try Kubeconfig.parse(Array(yaml.utf8), path: "/k/config")
        let config = try ClientConfiguration.fromKubeconfig(kubeconfig, environment: [:])
        #expect(config.tls.insecureSkipVerify)
        #expect(config.tls.caCertificatePEM == nil)
        #expect(throws: ConfigurationError.self) {
            try ClientConfiguration.fromKubeconfig(kubeconfig, context: "both", environment: [:])
        }
    }

    @Test func kubeconfigEnvironmentListMergesFirstWins() throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let first = try dir.write(
            "first",
            """
            clusters:
            - {name: c, cluster: {server: "https://first:1"}}
            contexts:
            - {name: a, context: {cluster: c, namespace: from-first}}
            """)
        let second = try dir.write(
            "second",
            """
            current-context: a
            clusters:
            - {name: c, cluster: {server: "https://second:2"}}
            contexts:
            - {name: a, context: {cluster: c, namespace: from-second}}
            """)
        let environment = ["KUBECONFIG": "\(dir.url("absent")):\(first)::\(second)", "HOME": dir.path]
        let config = try ClientConfiguration.load(environment: environment, inClusterDirectory: dir.url("no-sa"))
        #expect(config.server == "https://first:1")
        #expect(config.namespace == "from-first")
        #expect(config.source == "kubeconfig \(first):\(second) (context a)")

        let reversed = ["KUBECONFIG": "\(second):\(first)"]
        let other = try ClientConfiguration.load(environment: reversed, inClusterDirectory: dir.url("no-sa"))
        #expect(other.server == "https://second:2")
    }

    @Test func homeKubeconfigAndNothingConfigured() throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let none = #expect(throws: ConfigurationError.self) {
            try ClientConfiguration.load(environment: [:], homeDirectory: dir.path, inClusterDirectory: dir.url("sa"))
        }
        #expect(none?.kind == .notConfigured)
        try dir.write(
            ".kube/config",
            "current-context: h\nclusters: [{name: c, cluster: {server: 'https://home:6443'}}]\ncontexts: [{name: h, context: {cluster: c}}]\n"
        )
        let config = try ClientConfiguration.load(environment: ["HOME": dir.path], inClusterDirectory: dir.url("sa"))
        #expect(config.server == "https://home:6443")
        let noContext = #expect(throws: ConfigurationError.self) {
            try ClientConfiguration.load(kubeconfigPath: dir.url(".kube/config"), context: "", environment: [:])
        }
        #expect(noContext?.kind == .notConfigured)
    }

    @Test func inClusterWithTempDirectory() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        try dir.write("sa/token", "sa-token\n")
        try dir.write("sa/ca.crt", "CLUSTER-CA")
        try dir.write("sa/namespace", "roost-system\n")
        let environment = [
            "KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443",
            "KUBECONFIG": dir.url("ignored"),
        ]
        let config = try ClientConfiguration.load(environment: environment, inClusterDirectory: dir.url("sa"))
        #expect(config.source == "in-cluster")
        #expect(config.server == "https://10.96.0.1:443")
        #expect(config.tls == TLSSettings(caCertificatePEM: Array("CLUSTER-CA".utf8)))
        #expect(config.namespace == "roost-system")
        #expect(try await config.credentials.credentials() == Credentials(bearerToken: "sa-token"))
        #expect(config.credentials is TokenFileCredentialProvider)

        var ipv6 = environment
        ipv6["KUBERNETES_SERVICE_HOST"] = "fd00::1"
        ipv6["POD_NAMESPACE"] = "from-env"
        let v6 = try ClientConfiguration.load(environment: ipv6, inClusterDirectory: dir.url("sa"))
        #expect(v6.server == "https://[fd00::1]:443")
        #expect(v6.namespace == "from-env")

        // A context override means kubeconfig, not in-cluster.
        #expect(throws: ConfigurationError.self) {
            try ClientConfiguration.load(context: "x", environment: environment, inClusterDirectory: dir.url("sa"))
        }
        // Without the service variables it is not in-cluster.
        let outside = #expect(throws: ConfigurationError.self) {
            try ClientConfiguration.inCluster(environment: [:], directory: dir.url("sa"))
        }
        #expect(outside?.kind == .notConfigured)
    }

    @Test func tokenFileUserIsReadAtLoad() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let yaml = """
            current-context: c
            clusters: [{name: c, cluster: {server: "https://x:6443"}}]
            users: [{name: u, user: {tokenFile: token}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            """
        let path = try dir.write("config", yaml)
        let missing = #expect(throws: ConfigurationError.self) {
            try ClientConfiguration.load(kubeconfigPath: path, environment: [:])
        }
        #expect(missing?.message.contains(dir.url("token")) == true)
        try dir.write("token", " file-token \n")
        let config = try ClientConfiguration.load(kubeconfigPath: path, environment: [:])
        #expect(try await config.credentials.credentials().bearerToken == "file-token")
    }

    @Test func authProviderIsUnsupported() throws {
        let yaml = """
            current-context: c
            clusters: [{name: c, cluster: {server: "https://x:6443"}}]
            users: [{name: u, user: {auth-provider: {name: gcp}}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            """
        let kubeconfig = try Kubeconfig.parse(Array(yaml.utf8), path: "/k")
        let error = #expect(throws: ConfigurationError.self) {
            try ClientConfiguration.fromKubeconfig(kubeconfig, environment: [:])
        }
        #expect(error?.kind == .unsupported)
    }

    @Test func dataFieldsWinOverFiles() async throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        try dir.write("ca.pem", "FILE-CA")
        try dir.write("c.crt", "FILE-CERT")
        try dir.write("c.key", "FILE-KEY")
        let path = try dir.write(
            "config",
            """
            current-context: c
            clusters:
            - name: c
              cluster: {server: "https://x:6443", certificate-authority: ca.pem, certificate-authority-data: \(configBase64("DATA-CA"))}
            users:
            - name: u
              user:
                client-certificate: c.crt
                client-certificate-data: \(configBase64("DATA-CERT"))
                client-key: c.key
                client-key-data: \(configBase64("DATA-KEY"))
            contexts: [{name: c, context: {cluster: c, user: u}}]
            """)
        let config = try ClientConfiguration.load(kubeconfigPath: path, environment: [:])
        #expect(config.tls.caCertificatePEM == Array("DATA-CA".utf8))
        #expect(
            try await config.credentials.credentials()
                == Credentials(clientCertificatePEM: Array("DATA-CERT".utf8), clientKeyPEM: Array("DATA-KEY".utf8)))
    }

    @Test func certificateWithoutKeyIsAnError() throws {
        let yaml = """
            current-context: c
            clusters: [{name: c, cluster: {server: "https://x:6443"}}]
            users: [{name: u, user: {client-certificate-data: \(configBase64("CERT"))}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            """
        let kubeconfig = try Kubeconfig.parse(Array(yaml.utf8), path: "/k")
        let error = #expect(throws: ConfigurationError.self) {
            try ClientConfiguration.fromKubeconfig(kubeconfig, environment: [:])
        }
        #expect(error?.message.contains("client-key is missing") == true)
    }
}
