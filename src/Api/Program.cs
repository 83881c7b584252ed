using OpenDesign.Workflows.Api.Endpoints;
using OpenDesign.Workflows.Api.Hosting;

try
{
    // appsettings.json sits beside the binary, so the service reads it wherever it is started from.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.AddOpenDesignWorkflows();
    var app = builder.Build();
    app.UseOpenDesignWorkflows();
    app.MapOpenDesignWorkflows();
    await app.RunAsync();
    return 0;
}
catch (StartupRefusedException e)
{
    // A configuration the service must not run with: say why, plainly, and exit non-zero.
    await Console.Error.WriteLineAsync($"OpenDesign.Workflows refused to start: {e.Message}");
    return 1;
}

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
