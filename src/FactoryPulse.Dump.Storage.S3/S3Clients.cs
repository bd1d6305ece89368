using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace FactoryPulse.Dump.Storage.S3;

/// <summary>A client from the environment, the way the AWS CLI reads it.</summary>
internal static class S3Clients
{
    public static AmazonS3Client FromEnvironment()
    {
        var config = new AmazonS3Config
        {
            // S3-compatible stores do not all know the newer default checksums; the archive carries its own (xxh3).
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        var endpoint = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") is { Length: > 0 } s3Endpoint
            ? s3Endpoint
            : Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        var region = Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } named
            ? named
            : Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
        if (!string.IsNullOrEmpty(endpoint))
        {
            config.ServiceURL = endpoint;
            // Virtual-host addressing needs DNS per bucket, which S3-compatible servers rarely have.
            config.ForcePathStyle = !new Uri(endpoint).Host.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase);
            config.AuthenticationRegion = string.IsNullOrEmpty(region) ? "us-east-1" : region;
        }
        else if (!string.IsNullOrEmpty(region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        return new AmazonS3Client(config);
    }
}
