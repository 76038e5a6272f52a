import Foundation
import KubeModel
import Testing

@testable import KubeClient

@Suite("Kubeconfig parsing")
struct KubeconfigTests {
    @Test func parsesEveryField() throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let yaml = """
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters:
            - name: prod
              cluster:
                server: https://10.0.0.1:6443/
                certificate-authority-data: \(configBase64("CA-PEM"))
                tls-server-name: api.internal
                proxy-url: http://proxy:3128
                extensions:
                - name: client.authentication.k8s.io/exec
                  extension: {audience: roost}
            - name: lab
              cluster:
                server: https://lab:6443
                certificate-authority: certs/ca.pem
            - name: insecure
              cluster:
                server: https://insecure:6443
                insecure-skip-tls-verify: true
            users:
            - name: alice
              user:
                token: abc
                client-certificate-data: \(configBase64("CERT"))
                client-key-data: \(configBase64("KEY"))
            - name: bob
              user:
                tokenFile: tokens/bob
                client-certificate: /abs/bob.crt
                client-key: bob.key
            - name: carol
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: ./bin/get-token
                  args: [--cluster, prod]
                  env:
                  - name: FOO
                    value: bar
                  installHint: install get-token
                  provideClusterInfo: true
                  interactiveMode: Never
            contexts:
            - name: dev
              context: {cluster: prod, user: alice, namespace: team-a}
            - name: anon
              context: {cluster: lab}
            """
        let path = dir.url("config")
        let config = try Kubeconfig.parse(Array(yaml.utf8), path: path)
        #expect(config.currentContext == "dev")
        #expect(config.sources == [path])

        let prod = try #require(config.clusters["prod"])
        #expect(prod.server == "https://10.0.0.1:6443/")
        #expect(prod.certificateAuthorityData == Array("CA-PEM".utf8))
        #expect(prod.tlsServerName == "api.internal")
        #expect(prod.proxyURL == "http://proxy:3128")
        #expect(prod.execExtension == ["audience": "roost"])
        #expect(prod.insecureSkipTLSVerify == false)
        #expect(config.clusters["lab"]?.certificateAuthority == dir.path + "/certs/ca.pem")
        #expect(config.clusters["insecure"]?.insecureSkipTLSVerify == true)

        let alice = try #require(config.users["alice"])
        #expect(alice.token == "abc")
        #expect(alice.clientCertificateData == Array("CERT".utf8))
        #expect(alice.clientKeyData == Array("KEY".utf8))
        let bob = try #require(config.users["bob"])
        #expect(bob.tokenFile == dir.path + "/tokens/bob")
        #expect(bob.clientCertificate == "/abs/bob.crt")
        #expect(bob.clientKey == dir.path + "/bob.key")
        let exec = try #require(config.users["carol"]?.exec)
        #expect(exec.apiVersion == "client.authentication.k8s.io/v1beta1")
        #expect(exec.command == dir.path + "/bin/get-token")
        #expect(exec.args == ["--cluster", "prod"])
        #expect(exec.env == [Kubeconfig.EnvVar(name: "FOO", value: "bar")])
        #expect(exec.installHint == "install get-token")
        #expect(exec.provideClusterInfo)
        #expect(exec.interactiveMode == .never)

        #expect(
            config.contexts["dev"]
                == Kubeconfig.Context(cluster: "prod", user: "alice", namespace: "team-a", locationOfOrigin: path))
        #expect(config.contexts["anon"]?.user == "")
    }

    @Test func bareExecCommandIsNotResolved() throws {
        let yaml = """
            users:
            - name: u
              user:
                exec: {apiVersion: client.authentication.k8s.io/v1, command: aws, interactiveMode: IfAvailable}
            """
        let config = try Kubeconfig.parse(Array(yaml.utf8), path: "/etc/kube/config")
        #expect(config.users["u"]?.exec?.command == "aws")
    }

    @Test func emptyFileIsEmptyConfig() throws {
        let config = try Kubeconfig.parse([], path: "/x/config")
        #expect(config.clusters.isEmpty && config.currentContext == nil)
    }

    @Test func malformedYAMLNamesTheFile() {
        let error = #expect(throws: ConfigurationError.self) {
            try Kubeconfig.parse(Array("clusters: [\n  - name: a\n bad".utf8), path: "/tmp/broken.yaml")
        }
        #expect(error?.kind == .malformed)
        #expect(error?.message.contains("/tmp/broken.yaml") == true)
    }

    @Test func invalidBase64NamesTheKey() {
        let yaml = """
            users:
            - name: dev
              user: {client-key-data: "not base64!!"}
            """
        let error = #expect(throws: ConfigurationError.self) { try Kubeconfig.parse(Array(yaml.utf8), path: "/k/config") }
        #expect(error?.kind == .invalidValue)
        #expect(error?.message.contains("users[\"dev\"].user.client-key-data") == true)
        #expect(error?.message.contains("/k/config") == true)
    }

    @Test func wrongTypeAndDuplicates() {
        let wrongType = "clusters:\n- name: a\n  cluster: {server: 42}\n"
        let typeError = #expect(throws: ConfigurationError.self) {
            try Kubeconfig.parse(Array(wrongType.utf8), path: "/k/config")
        }
        #expect(typeError?.message.contains("clusters[\"a\"].cluster.server must be a string") == true)
        let duplicate = "contexts:\n- name: a\n  context: {cluster: x}\n- name: a\n  context: {cluster: y}\n"
        let duplicateError = #expect(throws: ConfigurationError.self) {
            try Kubeconfig.parse(Array(duplicate.utf8), path: "/k/config")
        }
        #expect(duplicateError?.message.contains("two entries named \"a\"") == true)
    }

    @Test func execValidation() {
        let badVersion = "users:\n- name: u\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}\n"
        let error = #expect(throws: ConfigurationError.self) { try Kubeconfig.parse(Array(badVersion.utf8), path: "/k") }
        #expect(error?.message.contains("users[\"u\"].user.exec.apiVersion") == true)
        let noCommand = "users:\n- name: u\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1}\n"
        #expect(throws: ConfigurationError.self) { try Kubeconfig.parse(Array(noCommand.utf8), path: "/k") }
    }

    @Test func unreadableFileIsNamed() {
        let error = #expect(throws: ConfigurationError.self) { try Kubeconfig.load(path: "/nonexistent/roost/config") }
        #expect(error?.kind == .unreadableFile)
        #expect(error?.message.contains("/nonexistent/roost/config") == true)
    }

    @Test func mergeIsFirstWinsPerKey() throws {
        let dir = try ConfigTempDirectory()
        defer { dir.cleanup() }
        let first = try dir.write(
            "a",
            """
            clusters:
            - name: shared
              cluster: {server: https://first:6443}
            users:
            - name: shared
              user: {token: first-token}
            contexts:
            - name: one
              context: {cluster: shared, user: shared}
            """)
        let second = try dir.write(
            "b",
            """
            current-context: two
            clusters:
            - name: shared
              cluster: {server: https://second:6443, insecure-skip-tls-verify: true}
            - name: other
              cluster: {server: https://other:6443}
            users:
            - name: shared
              user: {tokenFile: /x}
            contexts:
            - name: two
              context: {cluster: other, user: shared}
            """)
        let third = try dir.write("c", "current-context: three\n")
        let merged = try Kubeconfig.load(paths: [first, dir.url("missing"), second, first, "", third])
        #expect(merged.sources == [first, second, third])
        #expect(merged.currentContext == "two")
        #expect(merged.clusters["shared"]?.server == "https://first:6443")
        #expect(merged.clusters["shared"]?.insecureSkipTLSVerify == false)
        #expect(merged.clusters["other"]?.server == "https://other:6443")
        #expect(merged.users["shared"] == Kubeconfig.User(token: "first-token", locationOfOrigin: first))
        #expect(Set(merged.contexts.keys) == ["one", "two"])
    }
}
