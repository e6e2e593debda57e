package main

import (
	"strings"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration, StreamAlert's auth names.
const (
	propKeyID  = "access_key_id"
	propSecret = "access_key_secret"
	propRegion = "region_id"
)

// appType is the one StreamAlert app type of this plugin.
const appType = "aliyun_actiontrail"

// regions are the region ids StreamAlert accepts.
var regions = []string{
	"cn-qingdao", "cn-beijing", "cn-zhangjiakou", "cn-huhehaote", "cn-hangzhou", "cn-shanghai", "cn-shenzhen",
	"cn-hongkong", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-5", "ap-northeast-1",
	"ap-south-1", "us-west-1", "us-east-1", "eu-central-1", "me-east-1",
}

// Defaults of the polling properties: ActionTrail shows events within
// minutes of the call they record.
var defaults = appkit.Defaults{Overlap: 10 * time.Minute, Lookback: time.Hour}

// configSchema is what the host prompts for and validates.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	appkit.TypeProperty(appType),
	{
		Name:        propKeyID,
		Description: "AccessKey ID of a RAM user allowed actiontrail:LookupEvents.",
		Required:    true,
		Credential:  true,
		Pattern:     ".*",
		Example:     "LTAI5tExampleKeyId12345",
	},
	{
		Name:        propSecret,
		Description: "AccessKey secret of that RAM user.",
		Required:    true,
		Secret:      true,
		Credential:  true,
		Pattern:     ".*",
		Example:     "ExampleAccessKeySecret0123456789",
	},
	{
		Name:        propRegion,
		Description: "Region whose ActionTrail endpoint (actiontrail.<region>.aliyuncs.com) is asked: one of " + strings.Join(regions, ", ") + ".",
		Required:    true,
		Pattern:     strings.Join(regions, "|"),
		Example:     "cn-hangzhou",
	},
}, appkit.Properties(defaults)...)}
