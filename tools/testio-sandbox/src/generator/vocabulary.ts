/** Word pools the generator draws from. Realistic enough that a reader of a report recognises a test. */

export const BRANDS = [
  'Acme',
  'Nimbus',
  'Brightline',
  'Kestrel',
  'Polaris',
  'Vela',
  'Juniper',
  'Orbitly',
  'Fernhill',
  'Quanta',
  'Harbor',
  'Lumio',
  'Tidewater',
  'Redwood',
  'Sundial',
  'Meridian',
  'Copperleaf',
  'Northwind',
  'Bluebird',
  'Cascade',
  'Everfield',
  'Granite',
  'Helix',
  'Ironbark',
  'Larkspur',
  'Mosaic',
  'Oakridge',
  'Pinecrest',
  'Riverstone',
  'Silverline',
  'Trailhead',
  'Upland',
  'Wavecrest',
  'Zephyr',
  'Alder',
  'Beacon',
  'Cobalt',
  'Driftwood',
  'Ember',
  'Foxglove',
  'Glacier',
  'Hollow',
  'Indigo',
  'Jade',
  'Kinetic',
  'Lattice',
  'Mistral',
  'Nova',
  'Onyx',
  'Prism',
  'Quill',
  'Rook',
  'Sable',
  'Topaz',
] as const;

export const PRODUCT_KINDS = {
  website: [
    'Web Shop',
    'Customer Portal',
    'Booking Site',
    'Marketing Website',
    'Online Banking',
    'Help Center',
  ],
  mobile_app_ios: ['iOS App', 'Banking App (iOS)', 'Fitness App iOS', 'Shop App iOS'],
  mobile_app_android: ['Android App', 'Banking App (Android)', 'Delivery App Android', 'Shop App Android'],
  mobile_app_windows: ['Windows App', 'Desktop Client'],
  streaming_app: ['TV Streaming App', 'Music Streaming', 'Video on Demand'],
  gaming: ['Mobile Game', 'Console Game', 'Puzzle Game'],
} as const;

export const FEATURE_AREAS = [
  'Login',
  'Registration',
  'Checkout',
  'Shopping Cart',
  'Search',
  'Product Detail Page',
  'Wishlist',
  'Account Settings',
  'Password Reset',
  'Newsletter Signup',
  'Payment Methods',
  'Order History',
  'Store Locator',
  'Push Notifications',
  'Onboarding',
  'Video Player',
  'Playlists',
  'Profile',
  'Messaging',
  'Booking Flow',
  'Seat Selection',
  'Loyalty Program',
  'Gift Cards',
  'Returns',
  'Live Chat',
  'Filters',
  'Category Navigation',
  'Home Screen',
  'Cookie Banner',
  'Accessibility Menu',
  'Dark Mode',
  'Offline Mode',
  'Downloads',
  'Subscriptions',
  'Parental Controls',
  'Leaderboard',
  'In-App Purchases',
  'Tutorial',
  'Settings',
  'Language Switch',
  'Map View',
  'Transfers',
  'Statements',
  'Card Management',
  'Two-Factor Auth',
  'Reviews',
  'Recommendations',
  'Coupons',
  'Delivery Tracking',
  'Invoices',
  'Support Tickets',
  'Sharing',
  'Calendar',
  'Photo Upload',
  'Friends List',
  'Achievements',
  'Voice Search',
  'Widgets',
  'Mobile Tabs',
  'Editing Surfaces',
  'Dashboard',
  'Reports',
  'Export',
  'Team Management',
] as const;

export const FEATURE_GROUPS = [
  'Core',
  'Editing Surfaces',
  'Commerce',
  'Account',
  'Discovery',
  'Media',
] as const;

export const PERSONAS = [
  'a customer',
  'a guest',
  'a returning user',
  'a new user',
  'a subscriber',
  'an admin',
] as const;

/** `{f}` is replaced by the lower-cased feature title, `{p}` by a persona. */
export const STORY_TEMPLATES = [
  'As {p}, I can open {f} from the main navigation',
  'As {p}, I can complete {f} without errors',
  'As {p}, I see a confirmation after using {f}',
  'As {p}, I can cancel {f} at any step',
  'On mobile, I can use {f} in portrait and landscape',
  'On mobile, I can close {f} by swiping down',
  'As {p}, I get a helpful message when {f} fails',
  'As {p}, I can use {f} with a screen reader',
  'As {p}, my changes in {f} are kept after reloading',
  'As {p}, I can switch the language while in {f}',
  'As {p}, I can reach {f} from a deep link',
  'As {p}, I can use {f} on a slow connection',
] as const;

export const TEST_TITLE_PREFIXES = [
  'Regression',
  'Release',
  'Sprint',
  'Smoke Test',
  'Exploratory',
  'Focus',
  'Usability Study',
  'Hotfix',
  'Pre-Launch',
  'Weekly',
  'Payment',
  'Accessibility',
] as const;

export const BUG_PROBLEMS = [
  'button not clickable',
  'text overlaps on small screens',
  'price shown incorrectly after coupon',
  'app crashes when rotating the device',
  'spinner never disappears',
  'wrong error message shown',
  'layout broken in landscape',
  'typo in confirmation text',
  'image does not load',
  'session lost after reload',
  'form accepts invalid email',
  'back button leads to blank page',
  'keyboard covers input field',
  'contrast of icons is not high enough',
  'duplicate entries in list',
  'sorting order is wrong',
  'filter resets unexpectedly',
  'video stutters after seeking',
  'notification opens wrong screen',
  'translation missing in German',
  'date shown in wrong format',
  'total does not update',
  'link points to 404 page',
  'cookie banner reappears',
  'focus order skips the submit button',
  'tooltip cut off at screen edge',
  'checkout hangs after payment',
  'search returns no results for umlauts',
  'logo is blurry on retina displays',
  'scroll position jumps to top',
] as const;

export const STEP_TEMPLATES = [
  'Open the app',
  'Navigate to {f}',
  'Log in with the provided test account',
  'Tap on the first item',
  'Enter valid data into all fields',
  'Rotate the device to landscape',
  'Submit the form',
  'Go back to the previous screen',
  'Reload the page',
  'Switch the language to German',
  'Add two items to the cart',
  'Apply the coupon TEST10',
  'Scroll to the bottom of the page',
  'Observe the result',
] as const;

export const TESTER_FIRST = [
  'anna',
  'marek',
  'lucia',
  'tomasz',
  'priya',
  'diego',
  'fatima',
  'jonas',
  'elif',
  'kenji',
  'olga',
  'samuel',
  'ines',
  'viktor',
  'amara',
  'lars',
  'chen',
  'zofia',
  'rafael',
  'nadia',
  'emil',
  'sofia',
  'ahmed',
  'julia',
  'pavel',
  'leila',
  'mateo',
  'hana',
  'oskar',
  'yusuf',
] as const;

export const TESTER_SUFFIX = [
  '_qa',
  '.tester',
  '_k',
  '99',
  '_bughunter',
  '.m',
  '_test',
  '2020',
  '_pl',
  '',
] as const;

export const CUSTOMER_USERS = [
  'jane.customer',
  'm.schulz',
  'p.novak',
  'k.weber',
  'a.fischer',
  'l.martin',
  'qa.lead',
  'r.becker',
] as const;

export const CATEGORIES = [
  { id: 1, key: 'computer', name: 'Computers' },
  { id: 2, key: 'smartphone', name: 'Smartphones' },
  { id: 3, key: 'tablet', name: 'Tablets' },
  { id: 5, key: 'smart_tv', name: 'Smart TVs' },
  { id: 7, key: 'console', name: 'Consoles' },
] as const;

export interface OsEntry {
  id: number;
  key: string;
  name: string;
  category: number;
  versions: ReadonlyArray<{ id: number; name: string }>;
  vendors: ReadonlyArray<{ id: number; name: string; devices: ReadonlyArray<{ id: number; name: string }> }>;
}

export const OPERATING_SYSTEMS: readonly OsEntry[] = [
  {
    id: 6,
    key: 'windows',
    name: 'Windows',
    category: 1,
    versions: [
      { id: 198, name: '10' },
      { id: 205, name: '11' },
    ],
    vendors: [
      {
        id: 10,
        name: 'Dell',
        devices: [
          { id: 101, name: 'XPS 13' },
          { id: 102, name: 'Latitude 5420' },
        ],
      },
    ],
  },
  {
    id: 7,
    key: 'macos',
    name: 'macOS',
    category: 1,
    versions: [
      { id: 310, name: '13' },
      { id: 311, name: '14' },
      { id: 312, name: '15' },
    ],
    vendors: [
      {
        id: 11,
        name: 'Apple',
        devices: [
          { id: 110, name: 'MacBook Air M2' },
          { id: 111, name: 'iMac 24' },
        ],
      },
    ],
  },
  {
    id: 3,
    key: 'android',
    name: 'Android',
    category: 2,
    versions: [
      { id: 401, name: '12' },
      { id: 402, name: '13' },
      { id: 403, name: '14' },
    ],
    vendors: [
      {
        id: 12,
        name: 'Google',
        devices: [
          { id: 120, name: 'Pixel 7' },
          { id: 121, name: 'Nexus 5' },
        ],
      },
      {
        id: 13,
        name: 'Samsung',
        devices: [
          { id: 130, name: 'Galaxy S23' },
          { id: 131, name: 'Galaxy A54' },
        ],
      },
    ],
  },
  {
    id: 4,
    key: 'ios',
    name: 'iOS',
    category: 2,
    versions: [
      { id: 501, name: '16' },
      { id: 502, name: '17' },
      { id: 503, name: '18' },
    ],
    vendors: [
      {
        id: 11,
        name: 'Apple',
        devices: [
          { id: 140, name: 'iPhone 14' },
          { id: 141, name: 'iPhone 15 Pro' },
        ],
      },
    ],
  },
  {
    id: 8,
    key: 'ipados',
    name: 'iPadOS',
    category: 3,
    versions: [
      { id: 601, name: '17' },
      { id: 602, name: '18' },
    ],
    vendors: [
      {
        id: 11,
        name: 'Apple',
        devices: [
          { id: 150, name: 'iPad Air' },
          { id: 151, name: 'iPad mini' },
        ],
      },
    ],
  },
  {
    id: 9,
    key: 'tizen',
    name: 'Tizen',
    category: 5,
    versions: [
      { id: 701, name: '6.5' },
      { id: 702, name: '7.0' },
    ],
    vendors: [{ id: 13, name: 'Samsung', devices: [{ id: 160, name: 'QLED Q80' }] }],
  },
  {
    id: 10,
    key: 'playstation',
    name: 'PlayStation OS',
    category: 7,
    versions: [{ id: 801, name: '8' }],
    vendors: [{ id: 14, name: 'Sony', devices: [{ id: 170, name: 'PlayStation 5' }] }],
  },
];

export const BROWSERS = [
  { id: 2, name: 'Chrome', key: 'chrome' },
  { id: 3, name: 'Firefox', key: 'firefox' },
  { id: 4, name: 'Safari', key: 'safari' },
  { id: 5, name: 'Edge', key: 'edge' },
] as const;

/** Which OS (by id) fits each product type, so requirements look like the product's platform. */
export const OS_BY_PRODUCT_TYPE: Record<string, readonly number[]> = {
  website: [6, 7, 3, 4],
  mobile_app_ios: [4, 8],
  mobile_app_android: [3],
  mobile_app_windows: [6],
  streaming_app: [9, 3, 4],
  gaming: [10, 3, 4],
};

export const CUSTOM_REPORT_CONFIGURATION = {
  id: 48,
  title: 'Accessibility Report Configuration',
  keys: [
    { value: 'title', label: 'Title' },
    { value: 'issue_type', label: 'Issue Type' },
  ],
} as const;
