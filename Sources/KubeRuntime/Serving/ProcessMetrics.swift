import Foundation
import Metrics

/// The Prometheus process metrics client_golang's process collector exports
/// (`prometheus/client_golang/prometheus/process_collector.go`), read from Linux's `/proc`:
/// `process_cpu_seconds_total`, `process_resident_memory_bytes`, `process_virtual_memory_bytes`,
/// `process_open_fds`, `process_max_fds` and `process_start_time_seconds`. Dashboards built for
/// Go operators find them under the same names.
public struct ProcessMetrics: Sendable {
    /// One reading of the process's figures.
    public struct Sample: Sendable, Equatable {
        /// User plus system CPU time, seconds.
        public var cpuSeconds: Double
        /// Resident set size, bytes.
        public var residentBytes: Double
        /// Virtual memory size, bytes.
        public var virtualBytes: Double
        /// Open file descriptors.
        public var openFDs: Int
        /// The soft limit on open file descriptors.
        public var maxFDs: Int
        /// Process start, seconds since the Unix epoch.
        public var startTime: Double
    }

    let factory: any MetricsFactory

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// Reads `/proc/self`; nil where `/proc` is not available or not in the Linux format.
    public static func sample() -> Sample? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name, which may itself hold spaces and parentheses; the
        // first of them is field 3 (`state`) of proc(5).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        func field(_ number: Int) -> Double? {
            let index = number - 3
            return fields.indices.contains(index) ? Double(fields[index]) : nil
        }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        guard ticks > 0, let user = field(14), let system = field(15), let start = field(22), let virtual = field(23),
            let resident = field(24)
        else { return nil }
        var bootTime = 0.0
        if let procStat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) {
            for line in procStat.split(separator: "\n") where line.hasPrefix("btime ") {
                bootTime = Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        let openFDs = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? 1) - 1
        var limit = rlimit()
        let maxFDs = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Int(clamping: limit.rlim_cur) : 0
        return Sample(
            cpuSeconds: (user + system) / ticks, residentBytes: resident * pageSize, virtualBytes: virtual,
            openFDs: max(0, openFDs), maxFDs: maxFDs, startTime: bootTime + start / ticks)
    }

    /// Records one sample; `previousCPU` is the CPU seconds already counted (the counter only
    /// grows). Returns the CPU seconds counted after this sample.
    @discardableResult
    public func record(_ sample: Sample, previousCPU: Double) -> Double {
        let cpu = FloatingPointCounter(label: "process_cpu_seconds_total", factory: factory)
        if sample.cpuSeconds > previousCPU { cpu.increment(by: sample.cpuSeconds - previousCPU) }
        Gauge(label: "process_resident_memory_bytes", factory: factory).record(sample.residentBytes)
        Gauge(label: "process_virtual_memory_bytes", factory: factory).record(sample.virtualBytes)
        Gauge(label: "process_open_fds", factory: factory).record(sample.openFDs)
        Gauge(label: "process_max_fds", factory: factory).record(sample.maxFDs)
        Gauge(label: "process_start_time_seconds", factory: factory).record(sample.startTime)
        return max(previousCPU, sample.cpuSeconds)
    }

    /// Samples every `interval` seconds until the task is cancelled.
    public func run(interval: Double = 10) async {
        var counted = 0.0
        while !Task.isCancelled {
            if let sample = Self.sample() { counted = record(sample, previousCPU: counted) }
            do { try await Task.sleep(for: .milliseconds(Int64(interval * 1000))) } catch { return }
        }
    }
}
