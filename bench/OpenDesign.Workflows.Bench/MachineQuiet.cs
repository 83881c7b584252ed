using System.Globalization;

namespace OpenDesign.Workflows.Bench;

/// <summary>
/// How busy the machine was just before a scenario, with the bench itself idle: CPU used by every other process and
/// the share the hypervisor took (steal). The 1-minute load average cannot say this: it still carries the bench's own
/// previous scenario for minutes, so it flagged a quiet machine as noisy after every heavy scenario.
/// </summary>
internal sealed record MachineQuiet(double OtherCores, double StealPercent)
{
    /// <summary>Above this, other work competed with the bench for the machine.</summary>
    public bool Noisy => OtherCores > 0.2 || StealPercent > 5;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"other processes used {OtherCores:0.00} cores and the hypervisor took {StealPercent:0.0} % (steal) over 1 s with the bench idle");

    public static MachineQuiet Measure()
    {
        var before = Sample();
        Thread.Sleep(TimeSpan.FromSeconds(1));
        var after = Sample();
        var total = after.Total - before.Total;
        if (before.Total == 0 || total <= 0) return new MachineQuiet(0, 0);
        var cores = Environment.ProcessorCount;
        // Jiffies of all cores against this process's own clock ticks: both count USER_HZ (100 per second).
        var others = (after.Busy - before.Busy - (after.Self - before.Self)) / (double)total * cores;
        return new MachineQuiet(Math.Max(0, others), 100.0 * (after.Steal - before.Steal) / total);
    }

    private static (long Busy, long Steal, long Total, long Self) Sample()
    {
        try
        {
            // cpu  user nice system idle iowait irq softirq steal ...
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Take(8).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6];
            // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var self = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (busy, cpu[7], cpu.Sum(), self);
        }
        catch (IOException)
        {
            return default;
        }
    }
}
