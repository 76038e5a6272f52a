import Testing

@testable import KubeRuntime

@Suite struct RuntimeModuleTests {
    @Test func versionIsSet() {
        #expect(!KubeRuntime.version.isEmpty)
    }
}
