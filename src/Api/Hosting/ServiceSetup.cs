using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenDesign.Workflows.Activities;
using OpenDesign.Workflows.Api.Agents;
using OpenDesign.Workflows.Activities.Providers;
using OpenDesign.Workflows.Api.Http;
using OpenDesign.Workflows.Api.OpenApi;
using OpenDesign.Workflows.Api.Security;
using OpenDesign.Workflows.Api.Temporal;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Storage;

namespace OpenDesign.Workflows.Api.Hosting;

public static class ServiceSetup
{
    public static WebApplicationBuilder AddOpenDesignWorkflows(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        // ASP.NET's own port settings win; only with none of them does the service pick its loopback default.
        if (string.IsNullOrWhiteSpace(configuration["urls"]) && string.IsNullOrWhiteSpace(configuration["http_ports"])
            && string.IsNullOrWhiteSpace(configuration["https_ports"]) && !configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            builder.WebHost.UseUrls(ListenAddresses.Default);
        }

        var apiToken = configuration["OD_API_TOKEN"];
        var exposed = ListenAddresses.From(configuration).Where(u => !ListenAddresses.IsLoopback(u)).ToList();
        if (exposed.Count > 0 && string.IsNullOrEmpty(apiToken))
        {
            throw new StartupRefusedException(
                $"it is asked to listen on {string.Join(", ", exposed)}, beyond loopback, but OD_API_TOKEN is not set. Set OD_API_TOKEN, or bind 127.0.0.1.");
        }

        var options = new OdOptions();
        try
        {
            configuration.GetSection("Od").Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new StartupRefusedException($"a setting in the Od section is invalid: {e.InnerException?.Message ?? e.Message}", e);
        }
        options.DataDir = DataRoot.Resolve(
            configuration["OD_DATA_DIR"], configuration["OD_PROJECT_ROOT"], Directory.GetCurrentDirectory(),
            Environment.GetEnvironmentVariable("HOME"));
        try
        {
            DataRoot.EnsureWritable(options.DataDir);
        }
        catch (InvalidOperationException e)
        {
            throw new StartupRefusedException(e.Message, e);
        }

        var services = builder.Services;
        services.AddOpenDesignDomain(options);
        services.AddResultDownloads();
        services.AddSingleton(new ApiTokenOptions(apiToken));
        var browsers = BrowserAccess.From(configuration, options);
        services.AddSingleton(browsers);
        // Only origins named in the settings need CORS answers; same-origin pages never ask.
        services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .SetIsOriginAllowed(browsers.IsListedOrigin).AllowAnyMethod().AllowAnyHeader().WithExposedHeaders("Location")));
        services.AddExternalMode(configuration, options);
        services.AddAgents(configuration, options);
        services.AddMediaProviders(key => configuration[key]);

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, OdJsonContext.Default);
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        services.Configure<KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = options.MaxUploadBytes + (1024 * 1024));
        services.AddProblemDetails(ProblemSetup.Customize);
        services.AddExceptionHandler<DomainExceptionHandler>();
        services.AddOpenDesignOpenApi();
        return builder;
    }

    public static WebApplication UseOpenDesignWorkflows(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<BrowserGuardMiddleware>();
        app.UseCors();
        app.UseRouting();
        app.UseMiddleware<CallerAuthenticationMiddleware>();
        // After authentication, so a caller without a valid credential learns nothing about the body rules.
        app.UseMiddleware<RequestBodyTypeMiddleware>();
        // Open the database (and migrate) at start-up rather than on the first request.
        try
        {
            app.Services.GetRequiredService<SqliteWriter>();
            app.Services.GetRequiredService<Domain.Runs.RunService>().AppendMissingEndsAsync().GetAwaiter().GetResult();
        }
        catch (InvalidOperationException e)
        {
            throw new StartupRefusedException(e.Message, e);
        }
        return app;
    }
}
