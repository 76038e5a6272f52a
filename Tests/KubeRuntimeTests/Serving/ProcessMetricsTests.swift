import Foundation
import MetricsTestKit
import Testing

@testable import KubeRuntime

@Suite struct ProcessMetricsTests {
    @Test func samplesThisProcessFromProc() throws {
        let sample = try #require(ProcessMetrics.sample())
        #expect(sample.cpuSeconds > 0)
        #expect(sample.residentBytes > 1_000_000, "a Swift test process uses more than a megabyte")
        #expect(sample.virtualBytes >= sample.residentBytes)
        #expect(sample.openFDs >= 3)
        #expect(sample.maxFDs >= sample.openFDs)
        let now = Date().timeIntervalSince1970
        #expect(sample.startTime <= now + 1 && sample.startTime > now - 86_400, "started within the last day")
    }

    @Test func recordsTheClientGolangNames() throws {
        let metrics = TestMetrics()
        let recorder = ProcessMetrics(factory: metrics)
        let sample = ProcessMetrics.Sample(
            cpuSeconds: 2.5, residentBytes: 1024, virtualBytes: 4096, openFDs: 7, maxFDs: 1024, startTime: 1_700_000_000)
        var counted = recorder.record(sample, previousCPU: 0)
        #expect(counted == 2.5)
        var later = sample
        later.cpuSeconds = 3
        counted = recorder.record(later, previousCPU: counted)
        #expect(counted == 3)
        #expect(try metrics.expectGauge("process_resident_memory_bytes").lastValue == 1024)
        #expect(try metrics.expectGauge("process_open_fds").lastValue == 7)
        #expect(try metrics.expectGauge("process_start_time_seconds").lastValue == 1_700_000_000)
        let cpu = try metrics.expectCounter("process_cpu_seconds_total")
        #expect(cpu.values.reduce(0, +) > 0)
    }
}
