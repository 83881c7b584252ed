using System.Runtime.InteropServices;
using Temporalio.Testing;

namespace OpenDesign.Workflows.Temporal.Testing;

// Finds something the SDK can launch as a dev server (WorkflowEnvironment.StartLocalAsync with
// DevServerOptions.ExistingPath) that runs the test server: its apphost next to the test
// assembly when the build copied it, else a small shell wrapper around `dotnet <dll>` written to
// the temp folder. Going through the SDK's own launcher keeps that code path tested too.
public static class TestServerExecutable
{
    private const string AssemblyName = "OpenDesign.Workflows.Temporal.TestServer";

    public static string Locate()
    {
        var dir = AppContext.BaseDirectory;
        var apphost = Path.Combine(dir, RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? AssemblyName + ".exe" : AssemblyName);
        if (File.Exists(apphost) && File.Exists(Path.Combine(dir, AssemblyName + ".runtimeconfig.json")))
        {
            return apphost;
        }
        var dll = Path.Combine(dir, AssemblyName + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("test server assembly not found next to the tests", dll);
        }
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            throw new PlatformNotSupportedException("the test server apphost was not copied next to the tests");
        }
        var wrapper = Path.Combine(Path.GetTempPath(), $"od-temporal-test-server-{Guid.NewGuid():N}.sh");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet \"{dll}\" \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return wrapper;
    }

    // The SDK gives a launched dev server a fixed 5 s to answer. A cold .NET start of the test server takes about 2 s
    // on a quiet 2-core machine but can pass 5 s while other test modules load the machine, so a launch that missed
    // the window is tried again (with a fresh port); any other failure is final.
    public static async Task<WorkflowEnvironment> StartThroughSdkAsync(WorkflowEnvironmentStartLocalOptions options, int attempts = 3)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await WorkflowEnvironment.StartLocalAsync(options);
            }
            catch (InvalidOperationException e) when (attempt < attempts && e.Message.Contains("did not start within", StringComparison.Ordinal))
            {
            }
        }
    }
}
