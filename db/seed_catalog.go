package db

import (
	"errors"
	"fmt"

	"gorm.io/gorm"

	"salesdesk/models"
)

// demoVendors are the companies the demo's hardware is bought from: the
// distributor, and a display specialist for monitors and docks, so a sales
// order's purchase orders split by vendor.
var demoVendors = []models.Organization{
	{Name: "Northgate IT Distribution", Type: models.VendorType, Address: "400 Harbor Way",
		City: "Oakland", PostalCode: "94607", Country: "United States", Phone: "+1 510 555 0190", Website: "https://www.northgate-distribution.example"},
	{Name: "Pacific Display Supply", Type: models.VendorType, Address: "18 Mission Bay Blvd",
		City: "San Francisco", PostalCode: "94158", Country: "United States", Phone: "+1 415 555 0172", Website: "https://www.pacific-display.example"},
}

type demoProduct struct {
	sku, name     string
	kind          models.ItemKind
	period        models.Period
	price, cost   models.Money
	taxable       bool
	vendor        int // 1 + the index in demoVendors; 0 for none
	noProcurement bool
	inactive      bool
	description   string
}

// demoCatalog is what a small managed-services provider quotes: hardware from
// the distributor, recurring services and licences, labor by the hour,
// shipping and expenses.
var demoCatalog = []demoProduct{
	{"HW-FW-60", "Next-generation firewall, small office (up to 25 users)", models.KindProduct, models.OneTime, 1_195_00, 820_00, true, 1, false, false,
		"Desktop firewall appliance with ten Gigabit Ethernet ports, VPN and intrusion prevention. Includes a wall-mount kit."},
	{"HW-FW-100", "Next-generation firewall, branch (up to 150 users)", models.KindProduct, models.OneTime, 2_950_00, 2_140_00, true, 1, false, false,
		"1U firewall appliance with redundant power, twenty Gigabit Ethernet ports and SSL inspection."},
	{"SUB-FW-UTM", "Firewall security subscription (per appliance)", models.KindService, models.Yearly, 480_00, 310_00, true, 1, true, false,
		"Antivirus, web filtering, application control and firmware updates for one appliance."},
	{"HW-LT-14", "Business laptop 14\" (Core i5, 16 GB, 512 GB SSD)", models.KindProduct, models.OneTime, 1_349_00, 1_020_00, true, 1, false, false,
		"Three-year next-business-day on-site warranty. Imaged and enrolled in device management before delivery."},
	{"HW-DOCK-C", "USB-C docking station", models.KindProduct, models.OneTime, 229_00, 158_00, true, 2, false, false,
		"Dual display, Gigabit Ethernet, 100 W charging."},
	{"HW-MON-24", "24\" monitor, height adjustable", models.KindProduct, models.OneTime, 219_00, 149_00, true, 2, false, false, ""},
	{"MS-SEAT", "Managed services per seat", models.KindService, models.Monthly, 85_00, 32_00, false, 0, true, false,
		"Help desk during business hours, patching, endpoint protection and monitoring for one user and their devices."},
	{"MS-SERVER", "Managed server", models.KindService, models.Monthly, 150_00, 55_00, false, 0, true, false,
		"Monitoring, patching and backup checks for one physical or virtual server."},
	{"BK-CLOUD-TB", "Cloud backup (per TB)", models.KindService, models.Monthly, 95_00, 38_00, false, 0, true, false,
		"Encrypted off-site backup with 30 daily and 12 monthly restore points, per terabyte protected."},
	{"M365-BB", "Microsoft 365 Business Basic (per user)", models.KindService, models.Monthly, 6_00, 5_10, true, 0, true, false,
		"Web and mobile Office apps, Exchange mailbox, Teams and 1 TB OneDrive."},
	{"M365-BP", "Microsoft 365 Business Premium (per user)", models.KindService, models.Monthly, 22_00, 18_70, true, 0, true, false,
		"Desktop Office apps, Intune device management, Defender for Business and Entra ID P1."},
	{"LAB-ONBOARD", "Onboarding and migration labor (per hour)", models.KindLabor, models.OneTime, 145_00, 60_00, false, 0, true, false,
		"Discovery, documentation and migration of users, devices and data into managed services."},
	{"LAB-ONSITE", "On-site support (per hour)", models.KindLabor, models.OneTime, 165_00, 70_00, false, 0, true, false,
		"Engineer on site, one-hour minimum, travel time within 30 miles included."},
	{"LAB-REMOTE-10", "Remote support block (10 hours)", models.KindLabor, models.OneTime, 1_250_00, 600_00, false, 0, true, false,
		"Prepaid remote support hours, valid for 12 months."},
	{"SHIP-STD", "Shipping and handling (per order)", models.KindShipping, models.OneTime, 45_00, 30_00, false, 0, true, false,
		"Ground shipping of the hardware on the order to one address."},
	{"EXP-TRAVEL", "Travel expenses (per trip beyond 30 miles)", models.KindExpense, models.OneTime, 120_00, 120_00, false, 0, true, false, ""},
	{"HW-TAPE-LTO6", "LTO-6 tape drive (discontinued)", models.KindProduct, models.OneTime, 1_890_00, 1_400_00, true, 1, false, true,
		"No longer sold: replaced by cloud backup."},
}

// SeedCatalog adds the demo product catalog and its vendor organizations. It
// skips a vendor and any SKU already there, so it is safe to run twice.
func SeedCatalog(tx *gorm.DB) error {
	vendors := make([]*models.Organization, len(demoVendors))
	for i, dv := range demoVendors {
		vendor, err := models.FindOrganizationByName(tx, dv.Name)
		if errors.Is(err, gorm.ErrRecordNotFound) {
			v := dv
			vendor, err = &v, tx.Create(&v).Error
		}
		if err != nil {
			return fmt.Errorf("seed catalog vendor: %w", err)
		}
		vendors[i] = vendor
	}
	for _, d := range demoCatalog {
		p := models.Product{Name: d.name, SKU: d.sku, Type: d.kind, Description: d.description, UnitPrice: d.price, UnitCost: d.cost,
			Period: d.period, Taxable: d.taxable, Active: !d.inactive, NoProcurement: d.noProcurement}
		if d.vendor > 0 {
			p.VendorID = &vendors[d.vendor-1].ID
		}
		if err := models.SaveProduct(tx, &p); errors.Is(err, models.ErrSKUTaken) {
			continue
		} else if err != nil {
			return fmt.Errorf("seed product %s: %w", d.sku, err)
		}
	}
	return nil
}
