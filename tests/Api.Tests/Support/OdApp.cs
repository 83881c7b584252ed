using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OpenDesign.Workflows.Api.Tests.Support;

/// <summary>
/// The real service in memory over a data directory the test owns. Callers appear to come from loopback unless a
/// test says otherwise; a second OdApp over the same directory is a restart.
/// </summary>
public sealed class OdApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public OdApp(string dataDir, TimeProvider? clock = null, IPAddress? remoteIp = null, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        _services = services;
        DataDir = dataDir;
        Clock = clock;
        RemoteIp = remoteIp ?? IPAddress.Loopback;
        // No Temporal here unless a test brings one: never try to download or launch a dev server.
        _settings = new() { ["Temporal:Embedded"] = "false" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) _settings[key] = value;
        _settings["OD_DATA_DIR"] = dataDir;
    }

    public string DataDir { get; }
    public TimeProvider? Clock { get; }
    public IPAddress RemoteIp { get; set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        // Added last, so these win over the service's appsettings.json: tests print only what is worth reading.
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            // Activities that fail on purpose (a 500 from the fake executor) log warnings the tests expect.
            ["Logging:LogLevel:Temporalio"] = "Error",
        }));
        builder.ConfigureServices(services =>
        {
            if (Clock is not null) services.AddSingleton(Clock);
            services.AddSingleton<IStartupFilter>(new RemoteIpStartupFilter(() => RemoteIp));
            _services?.Invoke(services);
        });
    }

    public OdClient Api() => new(CreateClient());

    /// <summary>Counts rows straight from the database file, to prove what was (not) stored.</summary>
    public long Count(string table, string where = "1=1", params (string Name, object Value)[] args)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDir, "app.sqlite")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT COUNT(*) FROM {table} WHERE {where}";
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        return (long)cmd.ExecuteScalar()!;
    }

    private sealed class RemoteIpStartupFilter(Func<IPAddress> ip) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = ip();
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
