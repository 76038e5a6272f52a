import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs one short-lived child process (an exec credential plugin) off Swift's cooperative thread pool:
/// Foundation `Process` with a `terminationHandler`, its stdout and stderr drained by blocking reads
/// on Dispatch worker threads, and a Dispatch timer for the timeout. The awaiting task is resumed once
/// the process has exited and both pipes reached end of file, or when the timeout fires (the process
/// then gets SIGTERM, and SIGKILL two seconds later if still running).
enum PluginProcess {
    /// How a run ended.
    enum Outcome: Sendable {
        case exited(status: Int32, stdout: [UInt8], stderr: [UInt8])
        /// Killed after the timeout; whatever stderr had been read by then.
        case timedOut
        case failedToStart(String)
    }

    /// Runs `executable` (an absolute or relative path) with `arguments` and exactly `environment`,
    /// standard input from /dev/null.
    static func run(executable: String, arguments: [String], environment: [String: String], timeout: Duration) async
        -> Outcome
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        let collector = Collector()
        let handle = ProcessHandle(process: process)

        return await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            collector.start(continuation)
            process.terminationHandler = { finished in collector.exited(finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                collector.finish(.failedToStart("\(error)"))
                return
            }
            let stdoutReader = stdoutPipe.fileHandleForReading
            let stderrReader = stderrPipe.fileHandleForReading
            DispatchQueue.global().async {
                collector.stdout([UInt8](stdoutReader.readDataToEndOfFile()))
            }
            DispatchQueue.global().async {
                collector.stderr([UInt8](stderrReader.readDataToEndOfFile()))
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.timeIntervalSeconds) {
                guard collector.finish(.timedOut) else { return }
                handle.terminate()
            }
        }
    }

    /// Lets the timeout closure signal the child; `Process` is only touched for `terminate` and its pid.
    final class ProcessHandle: @unchecked Sendable {
        private let process: Process

        init(process: Process) { self.process = process }

        func terminate() {
            guard process.isRunning else { return }
            let pid = process.processIdentifier
            process.terminate()
            DispatchQueue.global().asyncAfter(deadline: .now() + 2) {
                if self.process.isRunning { kill(pid, SIGKILL) }
            }
        }
    }

    /// Gathers the exit status and both outputs, and resumes the continuation exactly once.
    final class Collector: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Outcome, Never>?
            var status: Int32?
            var stdout: [UInt8]?
            var stderr: [UInt8]?
            var finished = false
        }
        private let state = Mutex(State())

        func start(_ continuation: CheckedContinuation<Outcome, Never>) {
            state.withLock { $0.continuation = continuation }
        }

        func exited(_ status: Int32) { update { $0.status = status } }
        func stdout(_ bytes: [UInt8]) { update { $0.stdout = bytes } }
        func stderr(_ bytes: [UInt8]) { update { $0.stderr = bytes } }

        private func update(_ change: (inout State) -> Void) {
            let outcome: Outcome? = state.withLock { state in
                change(&state)
                guard !state.finished, let status = state.status, let stdout = state.stdout,
                    let stderr = state.stderr
                else { return nil }
                return .exited(status: status, stdout: stdout, stderr: stderr)
            }
            if let outcome { finish(outcome) }
        }

        /// Resumes with `outcome` unless already resumed; returns whether this call did it.
        @discardableResult
        func finish(_ outcome: Outcome) -> Bool {
            let continuation: CheckedContinuation<Outcome, Never>? = state.withLock { state in
                guard !state.finished else { return nil }
                state.finished = true
                defer { state.continuation = nil }
                return state.continuation
            }
            guard let continuation else { return false }
            continuation.resume(returning: outcome)
            return true
        }
    }
}
